// A dead-end refusal names every role its step accepts, so the admin knows which one to give
// (issue 15: a mutant of server/domain/dead-ends.ts that no single-role step could tell apart).
import assert from 'node:assert/strict';
import { startHarness, testConfig, type Harness } from '../support/harness.js';
import { API, accessBody, callAs, expectRefused } from './helpers.js';

describe('dead end with a step of two roles', () => {
  let h: Harness;
  beforeEach(async () => (h = await startHarness(testConfig((c) => {
    c.approvalRules.REQUEST_ACCESS[1].steps = [['projectOwner', 'sqlEditorUser']];
  }))));
  afterEach(async () => h.close());

  it('names both roles, joined by "or"', async () => {
    const error = await expectRefused(
      h,
      () => callAs(h, 'bob', 'POST', `${API}/projects/shop/access-requests`, accessBody({ databases: ['demo/hr'], statement: 'SELECT name FROM employees' })),
      409, 'FAILED_PRECONDITION',
      /^Nobody but you can approve step 1 \(needs projectOwner or sqlEditorUser\): ask a workspace admin to add an approver$/,
    );
    assert.deepEqual(error.details, { step: 1, roles: ['projectOwner', 'sqlEditorUser'] });
  });
});
