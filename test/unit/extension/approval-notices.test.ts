import assert from 'node:assert/strict';
import type { EventPayloads } from '../../../contract/events.js';
import { approvalNotice, awaitingBadge } from '../../../extension/core/approval-notices.js';
import { accessRequest } from './fixtures.js';

describe('approver notices', () => {
  const open = accessRequest({ id: '17', creator: 'alice', currentStep: 1 });
  const awaiting = (data: Partial<EventPayloads['approval.awaiting']>) =>
    ({ type: 'approval.awaiting', id: '90', data: { requestId: '17', project: 'shop', type: 'ACCESS_GRANT', requester: 'alice', step: 1, summary: 'alice: SELECT email FROM employees on demo/hr', ...data } }) as const;

  it('says who requests what and which step awaits the approver', () => {
    assert.deepEqual(approvalNotice(awaiting({}), { toApprove: [open] }), {
      requestId: '17',
      message: 'alice requests SELECT email FROM employees on demo/hr (step 2 of 2 awaits you).',
    });
  });

  it('names no step for a single-step rule, and reads a role summary the same way', () => {
    const single = accessRequest({ id: '18', type: 'ROLE_GRANT', steps: [open.steps[0]], currentStep: 0 });
    const notice = approvalNotice(awaiting({ requestId: '18', step: 0, type: 'ROLE_GRANT', summary: 'alice: role sqlEditorUser on demo for 2h' }), { toApprove: [single] });
    assert.equal(notice?.message, 'alice requests role sqlEditorUser on demo for 2h.');
  });

  // A replayed event, or one another approver answered first, must not ask for a decision that cannot be made.
  it('says nothing once the request no longer awaits the user: decided, gone from To approve, or past that step', () => {
    assert.equal(approvalNotice(awaiting({}), { toApprove: [{ ...open, status: 'APPROVED' }] }), undefined);
    assert.equal(approvalNotice(awaiting({}), { toApprove: [] }), undefined);
    assert.equal(approvalNotice(awaiting({ step: 0 }), { toApprove: [open] }), undefined);
  });

  it('badges the view with the number of open requests awaiting the user, and none when nothing awaits', () => {
    assert.deepEqual(awaitingBadge([open, accessRequest({ id: '19' }), accessRequest({ id: '20', status: 'REJECTED' })]), { value: 2, tooltip: '2 requests await your approval' });
    assert.deepEqual(awaitingBadge([open]), { value: 1, tooltip: '1 request awaits your approval' });
    assert.equal(awaitingBadge([accessRequest({ status: 'APPROVED' })]), undefined);
  });
});
