// Time: expiry is exact to the millisecond at the instant of use, a clock that jumps far
// ahead expires everything that fell due (and only that), and the pending TTL is honoured.
import assert from 'node:assert/strict';
import { activeGrant, API, request, startRel, type Rel } from './support/inproc.js';

const SECOND = 1000;
const HOUR = 3_600_000;

describe('time', () => {
  let r: Rel;
  beforeEach(async () => (r = await startRel()));
  afterEach(async () => r.close());

  const run = (id: string) => r.call('alice', 'POST', `${API}/grants/${id}/run`, {});
  const expiredLines = (id: string) => r.audit().filter((l) => l.action === 'grant.expired' && l.grantId === id);

  for (const scheduler of ['running', 'stopped'] as const) {
    it(`a 1s grant runs at expireTime - 1 ms and is refused at expireTime exactly (scheduler ${scheduler})`, async () => {
      const grant = await activeGrant(r, { duration: '1s' });
      const expireTime = Date.parse(grant.expireTime);
      assert.equal(expireTime - Date.parse(grant.activateTime), SECOND);
      if (scheduler === 'stopped') r.h.service.scheduler.stop();
      r.h.clock.set(expireTime - 1);
      await r.h.service.scheduler.idle();
      assert.equal((await run(grant.id)).status, 200, 'one millisecond before expiry it still runs');
      r.h.clock.set(expireTime);
      await r.h.service.scheduler.idle();
      const refused = await run(grant.id);
      assert.equal(refused.status, 409);
      assert.match(refused.body.error.message, /expired/);
      assert.equal((await r.call('alice', 'GET', `${API}/grants/${grant.id}`)).body.state, 'EXPIRED');
      assert.equal(expiredLines(grant.id).length, 1, 'the expiry is recorded once');
      assert.equal(expiredLines(grant.id)[0].time, new Date(expireTime).toISOString());
      // An export at expireTime is refused the same way.
      const exported = await r.call('alice', 'GET', `${API}/grants/${grant.id}/export`);
      assert.equal(exported.status, 409);
    });
  }

  it('a clock that jumps far ahead expires what fell due — grants, role bindings, pending requests — and nothing else', async () => {
    const short = await activeGrant(r, { duration: '5s' });
    const long = await activeGrant(r, { duration: '7d' });
    const pending = await request(r, { duration: '1h' });
    // A role binding of one hour (owner, then DBA).
    const role = await r.call('alice', 'POST', `${API}/projects/shop/role-requests`, { role: 'sqlEditorUser', databases: ['demo/sales'], duration: '1h', reason: 'jump' });
    assert.equal(role.status, 201);
    assert.equal((await r.call('bob', 'POST', `${API}/requests/${role.body.request.id}/approve`, {})).status, 200);
    assert.equal((await r.call('dana', 'POST', `${API}/requests/${role.body.request.id}/approve`, {})).status, 200);
    assert.equal((await r.call('alice', 'POST', `${API}/projects/shop/query`, { database: 'demo/sales', statement: 'SELECT 1 AS one' })).status, 200);

    r.h.clock.set(r.h.clock.now() + 2 * 24 * HOUR); // pending TTL is 24h
    await r.h.service.scheduler.idle();
    const grants = (await r.call('admin', 'GET', `${API}/projects/shop/grants`)).body.grants;
    const state = (id: string) => grants.find((g: any) => g.id === id).state;
    assert.equal(state(short.id), 'EXPIRED');
    assert.equal(state(long.id), 'ACTIVE');
    assert.equal(state(pending.grant.id), 'EXPIRED');
    assert.equal((await r.call('admin', 'GET', `${API}/requests/${pending.request.id}`)).body.status, 'EXPIRED');
    const now = r.h.clock.now();
    for (const g of grants.filter((g: any) => g.state === 'ACTIVE')) assert.ok(Date.parse(g.expireTime) > now);
    const lines = r.audit();
    assert.equal(lines.filter((l) => l.action === 'grant.expired' && l.grantId === short.id).length, 1);
    assert.equal(lines.filter((l) => l.action === 'request.expired' && l.requestId === pending.request.id).length, 1);
    assert.equal(lines.filter((l) => l.action === 'role.expired').length, 1);
    const me = (await r.call('alice', 'GET', `${API}/me`)).body;
    assert.deepEqual(me.projects.find((p: any) => p.id === 'shop').roles.map((x: any) => x.role), ['projectDeveloper']);
    assert.equal((await r.call('alice', 'POST', `${API}/projects/shop/query`, { database: 'demo/sales', statement: 'SELECT 1 AS one' })).status, 403);
    assert.equal((await run(short.id)).status, 409);
    assert.equal((await run(long.id)).status, 200);
  });

  it('a pending request is decidable until its TTL and refused at the TTL exactly', async () => {
    await r.call('admin', 'PATCH', `${API}/workspace/settings`, { pendingRequestTtl: '10m' });
    const a = await request(r);
    const b = await request(r);
    const ttl = Date.parse(a.request.expireTime) - Date.parse(a.request.createTime);
    assert.equal(ttl, 10 * 60 * SECOND);
    r.h.service.scheduler.stop(); // the TTL holds at the instant of the decision too
    r.h.clock.set(Date.parse(a.request.expireTime) - 1);
    assert.equal((await r.call('bob', 'POST', `${API}/requests/${a.request.id}/approve`, {})).status, 200);
    r.h.clock.set(Date.parse(b.request.expireTime));
    const late = await r.call('bob', 'POST', `${API}/requests/${b.request.id}/approve`, {});
    assert.equal(late.status, 409);
    assert.match(late.body.error.message, /expired/);
    assert.equal((await r.call('admin', 'GET', `${API}/requests/${b.request.id}`)).body.status, 'EXPIRED');
    assert.equal((await r.call('alice', 'GET', `${API}/grants/${b.grant.id}`)).body.state, 'EXPIRED');
    assert.equal((await r.call('alice', 'POST', `${API}/requests/${b.request.id}/cancel`, {})).status, 409);
    assert.equal(r.audit().filter((l) => l.action === 'request.expired' && l.requestId === b.request.id).length, 1);
  });

  it('the scheduler expires a pending request at its TTL by itself', async () => {
    const a = await request(r);
    await r.h.advance(24 * HOUR - 1);
    assert.equal((await r.call('admin', 'GET', `${API}/requests/${a.request.id}`)).body.status, 'OPEN');
    await r.h.advance(1);
    assert.equal((await r.call('admin', 'GET', `${API}/requests/${a.request.id}`)).body.status, 'EXPIRED');
  });
});
