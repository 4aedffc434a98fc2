// What an approver is told when a request step awaits them (the service's `approval.awaiting`
// event), and the count the view's badge shows.
import type { AccessSnapshot } from './access-state.js';
import type { AccessRequest } from './api-types.js';
import type { EventOf } from './event-stream.js';

export interface ApprovalNotice {
  requestId: string;
  /** "alice requests SELECT … on hr-prod (step 2 of 2 awaits you)." */
  message: string;
}

/**
 * The notice for an `approval.awaiting` event, or undefined when the request no longer awaits
 * this user in `known` (freshly loaded): a replayed event for a request decided since, or one
 * another approver took first, would only ask for a decision that cannot be made.
 */
export function approvalNotice(event: EventOf<'approval.awaiting'>, known: Pick<AccessSnapshot, 'toApprove'>): ApprovalNotice | undefined {
  const { requestId, requester, summary, step } = event.data;
  const request = awaiting(known.toApprove).find((r) => r.id === requestId);
  if (!request || step !== request.currentStep) return undefined;
  const what = summary.replace(new RegExp(`^${escapeRegExp(requester)}:\\s*`), '');
  const steps = request.steps.length > 1 ? ` (step ${request.currentStep + 1} of ${request.steps.length} awaits you)` : '';
  return { requestId, message: `${requester} requests ${what}${steps}.` };
}

/** The open requests awaiting the user's decision. */
export function awaiting(toApprove: readonly AccessRequest[]): AccessRequest[] {
  return toApprove.filter((r) => r.status === 'OPEN');
}

/** The view's badge: undefined (no badge) when nothing awaits. */
export function awaitingBadge(toApprove: readonly AccessRequest[]): { value: number; tooltip: string } | undefined {
  const count = awaiting(toApprove).length;
  if (count === 0) return undefined;
  return { value: count, tooltip: count === 1 ? '1 request awaits your approval' : `${count} requests await your approval` };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
