// What commands and panels share; built once in activate() and passed down, never global.
import type * as vscode from 'vscode';
import type { AccessState } from '../core/access-state.js';
import type { Session } from './session.js';
import type { OpenPages } from './webview-page.js';

export interface Services {
  extensionUri: vscode.Uri;
  session: Session;
  state: AccessState;
  pages: OpenPages;
  log: vscode.LogOutputChannel;
}
