// Who approved a grant, as its reviewers read it: the approvers of its request's steps, never
// the one who rejected a later step (issue 15: mutants of server/domain/approved-by.ts).
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../support/harness.js';
import { API, callAs, decide, requestAccess } from './helpers.js';

describe('approvers of a grant', () => {
  let h: Harness;
  beforeEach(async () => (h = await startHarness()));
  afterEach(async () => h.close());

  it('a grant whose second step was rejected names only the first step\'s approver', async () => {
    const { request, grant } = await requestAccess(h, { unmask: true });
    await decide(h, 'bob', request.id);
    await decide(h, 'dana', request.id, 'reject');
    const r = await callAs(h, 'bob', 'GET', `${API}/projects/shop/grants`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const listed = r.body.grants.find((g: any) => g.id === grant.id);
    assert.deepEqual([listed.state, listed.approvers], ['REJECTED', ['bob']]);
  });
});
