// A project's grants as its reviewers see them: filtered by database and by how soon they
// expire, each with who approved it and how often (and when last) it was used.
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../support/harness.js';
import { API, activeGrant, callAs, decide, requestAccess } from './helpers.js';

const MINUTE = 60_000;
const list = async (h: Harness, query = '') => {
  const r = await callAs(h, 'bob', 'GET', `${API}/projects/shop/grants${query}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.grants as any[];
};
const ids = (grants: any[]) => grants.map((g) => g.id);

describe('grant review', () => {
  let h: Harness;
  beforeEach(async () => (h = await startHarness()));
  afterEach(async () => h.close());

  it('counts successful runs and finished exports from the audit, with the last use', async () => {
    const { request, grant } = await requestAccess(h, { export: true });
    await decide(h, 'bob', request.id);
    await decide(h, 'dana', request.id);
    const unused = await activeGrant(h);
    assert.equal((await callAs(h, 'alice', 'POST', `${API}/grants/${grant.id}/run`, {})).status, 200);
    h.clock.advance(MINUTE);
    assert.equal((await callAs(h, 'alice', 'POST', `${API}/grants/${grant.id}/run`, {})).status, 200);
    assert.equal((await callAs(h, 'alice', 'POST', `${API}/grants/${grant.id}/run`, { database: 'demo/hr' })).status, 400, 'a refused run');
    h.clock.advance(MINUTE);
    const exported = await h.call('alice', 'GET', `${API}/grants/${grant.id}/export?format=csv`);
    assert.equal(exported.status, 200);
    await exported.text();
    const lastUse = new Date(h.clock.now()).toISOString();
    h.clock.advance(MINUTE);
    const grants = await list(h);
    const used = grants.find((g) => g.id === grant.id);
    assert.deepEqual(used.usage, { runs: 2, exports: 1, lastUsedTime: lastUse });
    assert.deepEqual(used.approvers, ['bob', 'dana']);
    const other = grants.find((g) => g.id === unused.id);
    assert.deepEqual(other.usage, { runs: 0, exports: 0 });
    assert.deepEqual(other.approvers, ['bob']);
  });

  it('a pending grant has no approvers yet', async () => {
    const { grant } = await requestAccess(h);
    assert.deepEqual((await list(h)).find((g) => g.id === grant.id).approvers, []);
  });

  it('filters by database, and by expiring within a duration (active grants only)', async () => {
    const soon = await activeGrant(h, { duration: '1h' });
    const later = await activeGrant(h, { duration: '4h', databases: ['demo/hr'], statement: 'SELECT name FROM employees' });
    const { grant: pending } = await requestAccess(h, { duration: '1h' });
    assert.deepEqual(ids(await list(h, '?database=demo/hr')), [later.id]);
    assert.deepEqual(ids(await list(h, '?database=demo/sales')), [pending.id, soon.id]);
    assert.deepEqual(ids(await list(h, '?expiringWithin=2h')), [soon.id]);
    assert.deepEqual(ids(await list(h, '?expiringWithin=5h')), [later.id, soon.id]);
    assert.deepEqual(ids(await list(h, '?expiringWithin=5h&database=demo/hr&user=alice')), [later.id]);
    await h.advance(61 * MINUTE);
    assert.deepEqual(ids(await list(h, '?expiringWithin=5h')), [later.id], 'an expired grant is no longer expiring');
  });

  it('refuses a malformed expiringWithin with the field named', async () => {
    const r = await callAs(h, 'bob', 'GET', `${API}/projects/shop/grants?expiringWithin=soon`);
    assert.equal(r.status, 400);
    assert.equal(r.body.error.details.field, 'expiringWithin');
    assert.match(r.body.error.message, /must be a duration like "30s", "15m", "2h" or "7d"/);
  });
});
