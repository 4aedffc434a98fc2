import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../support/harness.js';

describe('access request lifecycle (smoke)', () => {
  let h: Harness;
  beforeEach(async () => (h = await startHarness()));
  afterEach(async () => h.close());

  it('request, approve, run, and every step in the audit log', async () => {
    const created = await h.json('alice', 'POST', '/api/v1/projects/shop/access-requests', {
      databases: ['demo/sales'], statement: 'SELECT country, count(*) AS n FROM customers GROUP BY country ORDER BY country', duration: '1h', reason: 'ticket 42',
    });
    assert.equal(created.status, 201);
    assert.equal(created.body.grant.state, 'PENDING');
    assert.deepEqual(created.body.request.steps, [{ roles: ['projectOwner'] }]);
    const approved = await h.json('bob', 'POST', `/api/v1/requests/${created.body.request.id}/approve`, {});
    assert.equal(approved.status, 200);
    assert.equal(approved.body.status, 'APPROVED');
    const run = await h.json('alice', 'POST', `/api/v1/grants/${created.body.grant.id}/run`, {});
    assert.equal(run.status, 200);
    assert.deepEqual(run.body.columns.map((c: any) => c.name), ['country', 'n']);
    assert.equal(run.body.rows[0][0], 'BR');
    assert.deepEqual(h.auditLines().map((l) => l.action), ['request.created', 'request.step.approved', 'request.approved', 'grant.activated', 'grant.run']);
  });
});
