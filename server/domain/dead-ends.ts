// A request nobody could approve would only wait out its pending time with nobody told, so
// it is refused at creation, naming the step and the roles it lacks.
import type { State } from '../store/config-store.js';
import type { LedgerReads } from '../store/ledger.js';
import { approversOf } from './authorization.js';
import { DomainError } from './errors.js';
import type { ApprovalRequest } from './types.js';

/** Throws if some step of the new request has no approver but its creator. */
export async function refuseDeadEnd(ledger: LedgerReads, state: State, request: ApprovalRequest, now: number): Promise<void> {
  for (const [index, step] of request.steps.entries()) {
    if ((await approversOf(ledger, state, { ...request, currentStep: index }, now)).length > 0) continue;
    throw new DomainError(
      'FAILED_PRECONDITION',
      `Nobody but you can approve step ${index + 1} (needs ${step.roles.join(' or ')}): ask a workspace admin to add an approver`,
      { step: index + 1, roles: step.roles },
    );
  }
}
