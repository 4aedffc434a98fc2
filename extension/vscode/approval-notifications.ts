// The approver's side of `approval.awaiting`: a notification with Review / Approve / Reject,
// and the grants view's badge counting what awaits them.
import * as vscode from 'vscode';
import { awaitingBadge, type ApprovalNotice } from '../core/approval-notices.js';
import { COMMANDS } from './command-ids.js';
import { showError } from './errors.js';
import { decide } from './request-panel.js';
import type { Services } from './services.js';

export async function notifyApprover(services: Services, notice: ApprovalNotice): Promise<void> {
  const picked = await vscode.window.showInformationMessage(notice.message, 'Review', 'Approve', 'Reject');
  try {
    if (picked === 'Review') await vscode.commands.executeCommand(COMMANDS.openRequest, notice.requestId);
    if (picked === 'Approve') await decide(services, notice.requestId, 'approve');
    // A rejection tells the requester why: the reject command asks for the comment.
    if (picked === 'Reject') await vscode.commands.executeCommand(COMMANDS.rejectRequest, notice.requestId);
  } catch (error) {
    await showError(error, services.session.serverUrl);
  }
}

/** Keeps `view.badge` at the number of requests awaiting the user, redrawn whenever the state reloads (on every event). */
export function showAwaitingBadge(services: Services, view: vscode.TreeView<unknown>): vscode.Disposable {
  const draw = () => {
    view.badge = services.state.snapshot.status === 'ready' ? awaitingBadge(services.state.snapshot.toApprove) : undefined;
  };
  draw();
  return services.state.onChange(draw);
}
