// The JIT Access commands. Each accepts what the tree (a node), CodeLens (an id) or the
// palette (nothing) passes, and asks with a quick pick when it must.
import * as vscode from 'vscode';
import { ApiError } from '../core/api-errors.js';
import { EXPORT_FORMATS, type ExportFormat, type Grant } from '../core/api-types.js';
import { grantIdOf, requestIdOf } from '../core/command-args.js';
import { expirationPresets } from '../core/expiration.js';
import { grantName, requestName } from '../core/grant-labels.js';
import type { ProjectRole } from '../../contract/index.js';
import { REQUESTABLE_ROLES } from '../core/role-request.js';
import { COMMANDS } from './command-ids.js';
import { statementFromEditor } from './editor-statement.js';
import { showError } from './errors.js';
import { exportGrantResult } from './export-download.js';
import { registerGuarded } from './guarded-command.js';
import { pickGrant, pickRequest } from './pickers.js';
import { openRequestForm, type RequestPrefill } from './request-form-panel.js';
import { decide, openRequest } from './request-panel.js';
import { runGrant } from './results-panel.js';
import type { Services } from './services.js';

export function registerCommands(services: Services): vscode.Disposable[] {
  const { session, state } = services;
  const findGrant = async (arg: unknown, placeHolder: string, usable: (g: Grant) => boolean = () => true): Promise<Grant | undefined> => {
    const id = grantIdOf(arg);
    if (id) return state.activeGrants().find((g) => g.id === id) ?? (await session.client().grant(id));
    const candidates = state.activeGrants().filter(usable);
    if (candidates.length === 0) {
      const picked = await vscode.window.showInformationMessage('You have no active grant for this. Request data access first.', 'Request Data Access');
      if (picked) await vscode.commands.executeCommand(COMMANDS.requestDataAccess);
      return undefined;
    }
    return pickGrant(candidates, placeHolder);
  };

  const findRequestToDecide = async (arg: unknown): Promise<string | undefined> => {
    const id = requestIdOf(arg);
    if (id) return id;
    const open = state.snapshot.toApprove.filter((r) => r.status === 'OPEN');
    if (open.length === 0) {
      void vscode.window.showInformationMessage('No requests are waiting for your approval.');
      return undefined;
    }
    return (await pickRequest(open, 'Which request?'))?.id;
  };

  const decideWithComment = async (arg: unknown, decision: 'approve' | 'reject', placeHolder: string) => {
    const id = await findRequestToDecide(arg);
    if (!id) return;
    const verb = decision === 'approve' ? 'Approve' : 'Reject';
    const comment = await vscode.window.showInputBox({ prompt: `${verb} ${requestName({ id })}`, placeHolder });
    if (comment !== undefined) await decide(services, id, decision, comment);
  };

  const register = (id: string, body: (...args: never[]) => Promise<unknown>) => registerGuarded(session, id, body);

  return [
    register(COMMANDS.requestDataAccess, async (arg?: RequestPrefill) => {
      await openRequestForm(services, { ...arg, statement: arg?.statement ?? statementFromEditor(vscode.window.activeTextEditor) });
    }),

    register(COMMANDS.requestRole, async (arg?: { project?: string; role?: ProjectRole }) => {
      const snapshot = await state.ready();
      const project = arg?.project ?? (await vscode.window.showQuickPick(snapshot.projects.map((p) => ({ label: p.name, description: p.id, id: p.id })), { placeHolder: 'Project' }))?.id;
      if (!project) return;
      const role = arg?.role ?? (await vscode.window.showQuickPick(REQUESTABLE_ROLES.map((r) => ({ label: r.role, description: r.description, role: r.role })), { placeHolder: 'Role' }))?.role;
      if (!role) return;
      const databases = snapshot.projects.find((p) => p.id === project)?.databases.map((d) => d.name) ?? [];
      const chosen = await vscode.window.showQuickPick(databases.map((d) => ({ label: d, picked: true })), { placeHolder: 'Databases the role applies to', canPickMany: true });
      if (!chosen || chosen.length === 0) return;
      const duration = await vscode.window.showQuickPick(expirationPresets(snapshot.settings ?? { minGrantDuration: '1m', maxGrantDuration: '7d' }), { placeHolder: 'For how long?' });
      if (!duration) return;
      const reason = await vscode.window.showInputBox({ prompt: 'Reason', placeHolder: 'Why do you need this role?', validateInput: (v) => (v.trim() ? undefined : 'A reason is required.') });
      if (!reason) return;
      const { request } = await session.client().createRoleRequest(project, { role, databases: chosen.map((c) => c.label), duration, reason: reason.trim() });
      void vscode.window.showInformationMessage(`Role request submitted: ${requestName(request)} for ${role} in ${project}.`);
      await state.refresh();
    }),

    register(COMMANDS.runGrant, async (arg?: unknown) => {
      const grant = await findGrant(arg, 'Which grant to run?');
      if (grant) await runGrant(services, grant);
    }),

    register(COMMANDS.exportGrantResult, async (arg?: unknown) => {
      const grant = await findGrant(arg, 'Which grant to export?', (g) => g.export);
      if (!grant) return;
      if (!grant.export) {
        void vscode.window.showWarningMessage(`${grantName(grant)} does not allow export. Request data access with Export.`);
        return;
      }
      const format = (await vscode.window.showQuickPick([...EXPORT_FORMATS], { placeHolder: 'Export format' })) as ExportFormat | undefined;
      if (!format) return;
      const database = grant.databases.length > 1 ? await vscode.window.showQuickPick(grant.databases, { placeHolder: 'Database' }) : grant.databases[0];
      if (database) await exportGrantResult(services, grant, format, database);
    }),

    register(COMMANDS.approveRequest, (arg?: unknown) => decideWithComment(arg, 'approve', 'Comment (optional)')),

    register(COMMANDS.rejectRequest, (arg?: unknown) => decideWithComment(arg, 'reject', 'Why is it rejected? (optional)')),

    register(COMMANDS.revokeGrant, async (arg?: unknown) => {
      const grant = await findGrant(arg, 'Which grant to revoke?');
      if (!grant) return;
      const confirmed = await vscode.window.showWarningMessage(`Revoke ${grantName(grant)} on ${grant.databases.join(', ')}? It stops working at once.`, { modal: true }, 'Revoke');
      if (confirmed !== 'Revoke') return;
      await session.client().revoke(grant.id);
      void vscode.window.showInformationMessage(`Revoked ${grantName(grant)}.`);
      await state.refresh();
    }),

    register(COMMANDS.openRequest, async (arg?: unknown) => {
      const id = requestIdOf(arg) ?? (await pickRequest([...state.snapshot.toApprove, ...state.snapshot.myRequests], 'Which request?'))?.id;
      if (id) await openRequest(services, id);
    }),

    register(COMMANDS.signIn, async (token?: string) => {
      const entered = typeof token === 'string' && token ? token : await vscode.window.showInputBox({
        title: 'Sign in to Just-In-Time Access',
        prompt: `Paste your access token for ${session.serverUrl}`,
        password: true,
        ignoreFocusOut: true,
      });
      if (!entered) return;
      try {
        const me = await session.client(entered.trim()).me();
        await session.store(entered.trim());
        void vscode.window.showInformationMessage(`Signed in to Just-In-Time Access as ${me.user.id}.`);
      } catch (error) {
        if (!(error instanceof ApiError) || error.code !== 'UNAVAILABLE') throw error;
        await session.store(entered.trim());
        void vscode.window.showWarningMessage(`Token saved, but ${session.serverUrl} is not reachable yet. Start the service, then Refresh.`, 'Start the service').then(
          (picked) => picked && vscode.commands.executeCommand(COMMANDS.startService),
        );
      }
      await state.refresh();
    }),

    register(COMMANDS.signOut, async () => {
      await session.clear();
      void vscode.window.showInformationMessage('Signed out of Just-In-Time Access.');
      await state.refresh();
    }),

    register(COMMANDS.refresh, async () => {
      const snapshot = await state.refresh();
      if (snapshot.status === 'error') await showError(snapshot.error, session.serverUrl);
    }),

    register(COMMANDS.startService, async () => {
      const folder = vscode.workspace.workspaceFolders?.[0];
      const terminal = vscode.window.createTerminal({ name: 'Just-In-Time Access service', cwd: folder?.uri });
      terminal.show();
      // Typed, not run: the user sees what will start and where.
      terminal.sendText('npx jit-server', false);
      void vscode.window.showInformationMessage('Press Enter in the terminal to start the service (or run "npm start" in the jit-access repository), then Refresh.');
    }),

    register(COMMANDS.useApprovedText, async (uri: vscode.Uri, range: vscode.Range, grantId: string) => {
      const grant = await findGrant(grantId, '');
      if (!grant) return;
      const edit = new vscode.WorkspaceEdit();
      edit.replace(uri, range, grant.statement);
      await vscode.workspace.applyEdit(edit);
    }),
  ];
}
