import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServiceEvent } from '../../server/events/bus.js';
import { FakeClock } from '../support/fake-clock.js';
import { startHarness, testConfig, type Harness } from '../support/harness.js';
import { API, actions, activeGrant, addOtherUsers, callAs, decide, getGrant, getRequest, requestAccess, requestRole } from './helpers.js';

const HOUR = 3_600_000;
const MINUTE = 60_000;

const expiredLines = (h: Harness, action: string, id: string) => h.auditLines().filter((l) => l.action === action && (l.grantId === id || l.requestId === id));

describe('expiry', () => {
  let h: Harness;
  beforeEach(async () => (h = await startHarness()));
  afterEach(async () => h.close());

  it('a grant runs at expireTime - 1ms and is refused at expireTime, recorded EXPIRED once', async () => {
    const grant = await activeGrant(h);
    await h.advance(HOUR - 1);
    assert.equal((await h.json('alice', 'POST', `${API}/grants/${grant.id}/run`, {})).status, 200);
    await h.advance(1);
    const run = await h.json('alice', 'POST', `${API}/grants/${grant.id}/run`, {});
    assert.equal(run.status, 409);
    assert.equal(run.body.error.code, 'FAILED_PRECONDITION');
    assert.match(run.body.error.message, /expired/);
    assert.equal((await getGrant(h, grant.id)).state, 'EXPIRED');
    assert.equal(expiredLines(h, 'grant.expired', grant.id).length, 1);
  });

  it('expiry is enforced at the instant of use even when the scheduler has not run', async () => {
    const grant = await activeGrant(h);
    h.service.scheduler.stop();
    h.clock.advance(HOUR);
    const run = await h.json('alice', 'POST', `${API}/grants/${grant.id}/run`, {});
    assert.equal(run.status, 409);
    assert.match(run.body.error.message, /expired at/);
    assert.equal((await getGrant(h, grant.id)).state, 'EXPIRED');
    const [line] = expiredLines(h, 'grant.expired', grant.id);
    assert.equal(line.actor, 'system');
    assert.equal(line.time, new Date(h.clock.now()).toISOString());
  });

  it('the scheduler records the expiry by itself, without any call', async () => {
    const grant = await activeGrant(h);
    const events: ServiceEvent[] = [];
    h.service.deps.events.subscribe('alice', (e) => events.push(e));
    await h.advance(HOUR - 1);
    assert.equal(expiredLines(h, 'grant.expired', grant.id).length, 0);
    await h.advance(1);
    assert.equal(expiredLines(h, 'grant.expired', grant.id).length, 1);
    assert.equal((await getGrant(h, grant.id)).state, 'EXPIRED');
    assert.ok(events.some((e) => e.type === 'grant.expired' && e.data.grantId === grant.id));
    assert.equal(h.clock.pendingTimers, 0, 'nothing left to wait for');
  });

  it('grant.expiring goes out once, reminderBefore ahead of expiry', async () => {
    const grant = await activeGrant(h);
    const events: ServiceEvent[] = [];
    h.service.deps.events.subscribe('alice', (e) => events.push(e));
    await h.advance(HOUR - 15 * MINUTE - 1);
    assert.deepEqual(events, []);
    await h.advance(1);
    assert.deepEqual(events.map(({ type, data }) => ({ type, data })), [{ type: 'grant.expiring', data: { grantId: grant.id, project: 'shop', expireTime: grant.expireTime } }]);
    await h.advance(10 * MINUTE);
    assert.equal(events.length, 1);
  });

  it('role.expiring goes out reminderBefore ahead of a binding\'s expiry', async () => {
    const request = await requestRole(h);
    await decide(h, 'bob', request.id);
    await decide(h, 'dana', request.id);
    const events: ServiceEvent[] = [];
    h.service.deps.events.subscribe('alice', (e) => events.push(e));
    await h.advance(HOUR - 15 * MINUTE);
    assert.deepEqual(events.map((e) => e.type), ['role.expiring']);
    await h.advance(15 * MINUTE);
    assert.deepEqual(events.map((e) => e.type), ['role.expiring', 'role.expired']);
  });

  it('a role binding lapses at the exact instant, before the scheduler records it', async () => {
    await h.close();
    // A time-boxed projectOwner may approve until its binding's expireTime, not a moment longer.
    h = await startHarness(testConfig(addOtherUsers));
    const role = await requestRole(h, { role: 'projectOwner' }, 'carol');
    await decide(h, 'bob', role.id);
    await decide(h, 'dana', role.id);
    const { request } = await requestAccess(h);
    h.service.scheduler.stop();
    h.clock.advance(HOUR - 1);
    assert.deepEqual((await callAs(h, 'carol', 'GET', `${API}/requests?view=to-approve`)).body.requests.map((r: any) => r.id), [request.id]);
    h.clock.advance(1);
    assert.deepEqual((await callAs(h, 'carol', 'GET', `${API}/requests?view=to-approve`)).body.requests, []);
    const late = await callAs(h, 'carol', 'POST', `${API}/requests/${request.id}/approve`, {});
    assert.equal(late.status, 403);
    assert.match(late.body.error.message, /needs an approver with one of the roles: projectOwner/);
  });

  it('a changed reminderBefore re-arms the reminder', async () => {
    const grant = await activeGrant(h);
    const events: ServiceEvent[] = [];
    h.service.deps.events.subscribe('alice', (e) => events.push(e));
    assert.equal((await h.json('admin', 'PATCH', `${API}/workspace/settings`, { reminderBefore: '30m' })).status, 200);
    await h.advance(30 * MINUTE);
    assert.deepEqual(events.map((e) => [e.type, e.type === 'grant.expiring' && e.data.grantId]), [['grant.expiring', grant.id]]);
  });

  it('an undecided request expires after pendingRequestTtl; deciding it then is refused', async () => {
    const { request, grant } = await requestAccess(h);
    await h.advance(24 * HOUR - 1);
    assert.equal((await getRequest(h, request.id)).status, 'OPEN');
    await h.advance(1);
    assert.equal((await getRequest(h, request.id)).status, 'EXPIRED');
    assert.equal((await getGrant(h, grant.id)).state, 'EXPIRED');
    assert.equal(expiredLines(h, 'request.expired', request.id).length, 1);
    const approve = await h.json('bob', 'POST', `${API}/requests/${request.id}/approve`, {});
    assert.equal(approve.status, 409);
    assert.match(approve.body.error.message, /already expired/);
    assert.deepEqual((await h.json('bob', 'GET', `${API}/requests?view=to-approve`)).body.requests, []);
  });

  it('a decision at the instant the request expires is refused and the expiry is recorded', async () => {
    const { request } = await requestAccess(h);
    h.service.scheduler.stop();
    h.clock.advance(24 * HOUR);
    const approve = await h.json('bob', 'POST', `${API}/requests/${request.id}/approve`, {});
    assert.equal(approve.status, 409);
    assert.match(approve.body.error.message, /expired at .* without a decision/);
    assert.equal((await getRequest(h, request.id)).status, 'EXPIRED');
    assert.equal(expiredLines(h, 'request.expired', request.id).length, 1);
  });
});

describe('expiry across a restart', () => {
  it('overdue grants, bindings and requests expire at once when the service opens again', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'jit-restart-'));
    const clock = new FakeClock();
    const config = testConfig();
    let h = await startHarness(config, { dataDir, clock });
    try {
      const grant = await activeGrant(h);
      const role = await requestRole(h);
      await decide(h, 'bob', role.id);
      await decide(h, 'dana', role.id);
      const { request: pending } = await requestAccess(h);
      await h.close();

      clock.advance(25 * HOUR); // the service is down: nothing is recorded
      h = await startHarness(config, { dataDir, clock });
      assert.equal((await getGrant(h, grant.id)).state, 'EXPIRED');
      assert.equal((await getRequest(h, pending.id)).status, 'EXPIRED');
      const me = await h.json('alice', 'GET', `${API}/me`);
      assert.deepEqual(me.body.projects[0].roles, [{ role: 'projectDeveloper' }]);
      const recorded = actions(h).slice(-3).sort();
      assert.deepEqual(recorded, ['grant.expired', 'request.expired', 'role.expired']);
      for (const line of h.auditLines().slice(-3)) assert.equal(line.time, new Date(clock.now()).toISOString());
    } finally {
      await h.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
