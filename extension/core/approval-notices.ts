// What an approver is told when a request step awaits them (the service's `approval.awaiting`
// event), and the count the view's badge shows.
import type { EventPayloads } from '../../contract/events.js';
import type { AccessSnapshot } from './access-state.js';
import { isRecord } from './api-errors.js';
import type { AccessRequest } from './api-types.js';
import type { ServiceEvent } from './event-stream.js';

export const APPROVAL_AWAITING = 'approval.awaiting' satisfies keyof EventPayloads;

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
export function approvalNotice(event: ServiceEvent, known: Pick<AccessSnapshot, 'toApprove'>): ApprovalNotice | undefined {
  if (event.type !== APPROVAL_AWAITING || !isRecord(event.data)) return undefined;
  // Typed after the service's payload, but still checked: it arrives over the wire.
  const { requestId, requester, summary, step } = event.data as Partial<Record<keyof EventPayloads[typeof APPROVAL_AWAITING], unknown>>;
  if (typeof requestId !== 'string') return undefined;
  const request = awaiting(known.toApprove).find((r) => r.id === requestId);
  if (!request || (typeof step === 'number' && step !== request.currentStep)) return undefined;
  const who = typeof requester === 'string' ? requester : request.creator;
  const what = typeof summary === 'string' ? summary.replace(new RegExp(`^${escapeRegExp(who)}:\\s*`), '') : `access to ${request.project}`;
  const steps = request.steps.length > 1 ? ` (step ${request.currentStep + 1} of ${request.steps.length} awaits you)` : '';
  return { requestId, message: `${who} requests ${what}${steps}.` };
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
