// Registers a command whose failures are shown to the user with their next step, instead of
// surfacing as VS Code's bare "command failed" message.
import * as vscode from 'vscode';
import { showError } from './errors.js';
import type { Session } from './session.js';

export function registerGuarded(session: Session, id: string, body: (...args: never[]) => Promise<unknown>): vscode.Disposable {
  return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
    try {
      return await (body as (...a: unknown[]) => Promise<unknown>)(...args);
    } catch (error) {
      await showError(error, session.serverUrl);
      return undefined;
    }
  });
}
