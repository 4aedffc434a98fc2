// Grant rules a mutation run of server/domain/grants.ts found untested: revoking a grant that
// has already expired, what a revoke records, a revoked grant past its expiry time, a grant
// that does not exist, and the field named when a grant does not cover a database.
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../support/harness.js';
import { API, callAs, decide, requestAccess } from './helpers.js';

const HOUR = 3_600_000;

describe('grant details', () => {
  let h: Harness;
  beforeEach(async () => (h = await startHarness()));
  afterEach(async () => h.close());

  async function active(duration = '1h') {
    const { request, grant } = await requestAccess(h, { duration });
    await decide(h, 'bob', request.id);
    return grant.id as string;
  }

  it('a grant past its expiry time cannot be revoked, even before the scheduler has expired it', async () => {
    const id = await active();
    h.service.scheduler.stop();
    h.clock.advance(HOUR);
    const res = await callAs(h, 'bob', 'POST', `${API}/grants/${id}/revoke`, { reason: 'late' });
    assert.equal(res.status, 409, JSON.stringify(res.body));
    assert.match(res.body.error.message, new RegExp(`Grant ${id} already expired at `));
    assert.equal(h.auditLines().filter((l) => l.action === 'grant.revoked').length, 0);
  });

  it('a revoke records who revoked and why, and the holder sees the grant revoked', async () => {
    const id = await active();
    const res = await callAs(h, 'bob', 'POST', `${API}/grants/${id}/revoke`, { reason: 'ticket closed' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const line = h.auditLines().find((l) => l.action === 'grant.revoked');
    assert.equal(line.actor, 'bob');
    assert.equal(line.grantId, id);
    assert.deepEqual(line.detail, { reason: 'ticket closed' });
    const seen = await callAs(h, 'alice', 'GET', `${API}/grants/${id}`);
    assert.equal(seen.body.state, 'REVOKED');
    assert.equal(seen.body.revokedBy, 'bob');
  });

  it('a revoked grant stays revoked past its expiry time: using it says revoked, not expired', async () => {
    const id = await active();
    assert.equal((await callAs(h, 'alice', 'POST', `${API}/grants/${id}/revoke`, {})).status, 200);
    h.service.scheduler.stop();
    h.clock.advance(2 * HOUR);
    const res = await callAs(h, 'alice', 'POST', `${API}/grants/${id}/run`, {});
    assert.equal(res.status, 409);
    assert.equal(res.body.error.message, `Grant ${id} is revoked; request access again`);
    const again = await callAs(h, 'alice', 'POST', `${API}/grants/${id}/revoke`, {});
    assert.equal(again.status, 409);
    assert.equal(again.body.error.message, `Grant ${id} is revoked, not active; only active grants can be revoked`);
  });

  it('a grant that does not exist is 404 to read, run and revoke', async () => {
    for (const [method, path] of [['GET', `${API}/grants/999`], ['POST', `${API}/grants/999/run`], ['POST', `${API}/grants/999/revoke`]] as const) {
      const res = await callAs(h, 'admin', method, path, method === 'POST' ? {} : undefined);
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.equal(res.body.error.message, 'Grant "999" does not exist');
    }
  });

  it('running a grant on a database it does not cover names the field', async () => {
    const id = await active();
    const res = await callAs(h, 'alice', 'POST', `${API}/grants/${id}/run`, { database: 'demo/hr' });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.details.field, 'database');
    assert.equal(res.body.error.message, `Grant ${id} does not cover database "demo/hr"; it covers demo/sales`);
  });
});
