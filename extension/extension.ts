// Entry point: builds the services, registers every view, provider and command on
// context.subscriptions, and loads the user's grants once.
import * as vscode from 'vscode';
import { AccessState } from './core/access-state.js';
import { Countdown } from './core/countdown.js';
import { VIEW_ID } from './vscode/command-ids.js';
import { showAwaitingBadge } from './vscode/approval-notifications.js';
import { registerCommands } from './vscode/commands.js';
import { registerGrantsReview } from './vscode/grants-review-panel.js';
import { GrantsTree } from './vscode/grants-tree.js';
import { LiveUpdates } from './vscode/live-updates.js';
import { registerCancelRequest } from './vscode/request-cancel.js';
import { registerRequestLinks } from './vscode/request-links.js';
import { RoleChoices, registerRoleQuery } from './vscode/role-query.js';
import { registerRoleRevoke } from './vscode/role-revoke.js';
import type { Services } from './vscode/services.js';
import { Session } from './vscode/session.js';
import { SqlCodeLens } from './vscode/sql-code-lens.js';
import { ExpiryStatusBar } from './vscode/status-bar.js';
import { OpenPages } from './vscode/webview-page.js';

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Just-In-Time Access', { log: true });
  const session = new Session(context.secrets, context.globalState, process.env);
  const state = new AccessState(() => session.client());
  const services: Services = { extensionUri: context.extensionUri, session, state, pages: new OpenPages(), log };

  const countdown = new Countdown(state);
  const tree = new GrantsTree(state, countdown, () => session.serverUrl);
  const roleChoices = new RoleChoices(context.workspaceState);
  const lenses = new SqlCodeLens(state, countdown, roleChoices);
  const sql: vscode.DocumentSelector = [{ language: 'sql' }, { pattern: '**/*.sql' }];
  const live = new LiveUpdates(services, context.globalState);
  const treeView = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: tree, showCollapseAll: true });

  context.subscriptions.push(
    log,
    session,
    { dispose: () => state.dispose() },
    services.pages,
    countdown,
    tree,
    treeView,
    showAwaitingBadge(services, treeView),
    lenses,
    vscode.languages.registerCodeLensProvider(sql, lenses),
    vscode.languages.registerHoverProvider(sql, lenses),
    new ExpiryStatusBar(state, countdown),
    live,
    state.onChange((snapshot) => void vscode.commands.executeCommand('setContext', 'jitAccess.signedIn', snapshot.status === 'ready')),
    session.onDidChange(() => void state.refresh()),
    roleChoices,
    registerRoleQuery(services, roleChoices),
    registerRoleRevoke(services),
    registerCancelRequest(services),
    registerRequestLinks(),
    ...registerCommands(services),
    ...registerGrantsReview(services),
  );

  live.start();
  void state.refresh();
  log.info(`activated; service ${session.serverUrl}`);
}

export function deactivate(): void {}
