// Opens the request a vscode://jit-access.jit-access/requests/<id> link names (the links in
// webhook messages), as the Open Request command would.
import * as vscode from 'vscode';
import { requestIdFromLinkPath } from '../core/request-link.js';
import { COMMANDS } from './command-ids.js';

export function registerRequestLinks(): vscode.Disposable {
  return vscode.window.registerUriHandler({
    handleUri(uri) {
      const id = requestIdFromLinkPath(uri.path);
      if (id) void vscode.commands.executeCommand(COMMANDS.openRequest, id);
      else void vscode.window.showWarningMessage(`The link ${uri.toString()} does not name a request; open requests from the Just-In-Time Access view.`);
    },
  });
}
