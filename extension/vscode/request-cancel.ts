// Cancel Request: the requester withdraws a request still waiting for approval, from the
// tree, the palette or the request page.
import * as vscode from 'vscode';
import { requestIdOf } from '../core/command-args.js';
import { requestName } from '../core/grant-labels.js';
import { COMMANDS } from './command-ids.js';
import { registerGuarded } from './guarded-command.js';
import { pickRequest } from './pickers.js';
import type { Services } from './services.js';

/** Asks, cancels and reloads the views; false when the user kept the request. Throws when the service refuses. */
export async function cancelRequest(services: Services, requestId: string): Promise<boolean> {
  const name = requestName({ id: requestId });
  const confirmed = await vscode.window.showWarningMessage(`Cancel ${name}? Its approvers will no longer be asked.`, { modal: true }, 'Cancel Request');
  if (confirmed !== 'Cancel Request') return false;
  await services.session.client().decide(requestId, 'cancel');
  void vscode.window.showInformationMessage(`Canceled ${name}.`);
  await services.state.refresh();
  return true;
}

export function registerCancelRequest(services: Services): vscode.Disposable {
  return registerGuarded(services.session, COMMANDS.cancelRequest, async (arg?: unknown) => {
    const pending = services.state.snapshot.myRequests.filter((r) => r.status === 'OPEN');
    const id = requestIdOf(arg) ?? (pending.length ? (await pickRequest(pending, 'Which request to cancel?'))?.id : undefined);
    if (id) await cancelRequest(services, id);
    else if (pending.length === 0) void vscode.window.showInformationMessage('You have no pending request to cancel.');
  });
}
