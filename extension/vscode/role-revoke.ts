// Revoke Role: the holder gives a time-boxed role back before it expires (from the palette,
// or by clicking the status bar while that role is the first to run out).
import * as vscode from 'vscode';
import { revocableRoles, roleLabel, type RevocableRole } from '../core/role-targets.js';
import { COMMANDS } from './command-ids.js';
import { registerGuarded } from './guarded-command.js';
import { confirmRevoke } from './revoke-prompt.js';
import type { Services } from './services.js';

export function registerRoleRevoke(services: Services): vscode.Disposable {
  const { session, state } = services;
  return registerGuarded(session, COMMANDS.revokeRole, async (bindingId?: string) => {
    const now = Date.now();
    const mine = revocableRoles(state.snapshot, now);
    const role = typeof bindingId === 'string' ? mine.find((r) => r.bindingId === bindingId) : await pickRole(mine, now);
    if (!role) {
      if (typeof bindingId === 'string' || mine.length === 0) {
        void vscode.window.showInformationMessage('You hold no time-boxed role to revoke. Standing roles are changed in the workspace configuration by an admin.');
      }
      return;
    }
    const label = roleLabel(role, now);
    const answer = await confirmRevoke(`Revoke your ${label}? Queries with it stop at once.`, {
      title: `Revoke ${label}`, prompt: 'Reason (optional). Enter revokes, Escape keeps the role.', placeHolder: 'Done with the migration',
    });
    if (!answer) return;
    await session.client().revokeRole(role.bindingId, answer.reason);
    void vscode.window.showInformationMessage(`Revoked your role ${role.role} in ${role.project}.`);
    await state.refresh();
  });
}

async function pickRole(roles: readonly RevocableRole[], now: number): Promise<RevocableRole | undefined> {
  if (roles.length <= 1) return roles[0];
  const items = roles.map((role) => ({ label: roleLabel(role, now), role }));
  return (await vscode.window.showQuickPick(items, { placeHolder: 'Which role to revoke?' }))?.role;
}
