// Who approved a request: what a reviewer weighs when deciding whether a grant or role was
// rightly given.
import type { LedgerReads } from '../store/ledger.js';

/** The approvers of the request's steps, in step order; none for a rule that auto-approved. */
export async function approvedBy(ledger: LedgerReads, requestId: string): Promise<string[]> {
  const request = await ledger.getRequest(requestId);
  return (request?.steps ?? []).flatMap((s) => (s.decision === 'APPROVED' && s.approver ? [s.approver] : []));
}
