// Time-boxed role bindings from the reviewer's and the holder's side: /me names the binding,
// reviewers list a project's bindings, and a revoke ends the role at once — for the next
// query and for one already running.
import assert from 'node:assert/strict';
import type { ServiceEvent } from '../../server/events/bus.js';
import { startHarness, testConfig, type Harness } from '../support/harness.js';
import { API, addOtherUsers, callAs, decide, expectRefused, requestRole, type AnyUser } from './helpers.js';

const SELECT = 'SELECT id, product FROM orders ORDER BY id LIMIT 3';
const query = (h: Harness) => callAs(h, 'alice', 'POST', `${API}/projects/shop/query`, { database: 'demo/sales', statement: SELECT });

/** alice's sqlEditorUser binding on demo/sales, approved by bob then dana. */
async function aliceRole(h: Harness) {
  const request = await requestRole(h, { role: 'sqlEditorUser', databases: ['demo/sales'], duration: '1h' });
  await decide(h, 'bob', request.id);
  return (await decide(h, 'dana', request.id)).bindingId as string;
}

function inbox(h: Harness, users: AnyUser[]) {
  const got: Record<string, ServiceEvent[]> = {};
  for (const u of users) h.service.deps.events.subscribe(u, (e) => (got[u] ??= []).push(e));
  return (type: string) => users.filter((u) => got[u]?.some((e) => e.type === type));
}

describe('role bindings', () => {
  let h: Harness;
  beforeEach(async () => (h = await startHarness(testConfig(addOtherUsers))));
  afterEach(async () => h.close());

  it('/me names the binding of a time-boxed role, and no binding for a standing one', async () => {
    const id = await aliceRole(h);
    const me = (await callAs(h, 'alice', 'GET', `${API}/me`)).body;
    const roles = me.projects.find((p: any) => p.id === 'shop').roles;
    assert.deepEqual(roles.map((r: any) => [r.role, r.bindingId]), [['projectDeveloper', undefined], ['sqlEditorUser', id]]);
  });

  it('lists a project\'s bindings for reviewers, with approvers, filtered by state and user', async () => {
    const id = await aliceRole(h);
    for (const user of ['bob', 'dana', 'admin'] as const) {
      const r = await callAs(h, user, 'GET', `${API}/projects/shop/role-bindings`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.roleBindings.length, 1);
      const b = r.body.roleBindings[0];
      assert.deepEqual(
        { id: b.id, user: b.user, role: b.role, databases: b.databases, state: b.state, approvers: b.approvers },
        { id, user: 'alice', role: 'sqlEditorUser', databases: ['demo/sales'], state: 'ACTIVE', approvers: ['bob', 'dana'] },
      );
    }
    assert.equal((await callAs(h, 'bob', 'GET', `${API}/projects/shop/role-bindings?state=REVOKED`)).body.roleBindings.length, 0);
    assert.equal((await callAs(h, 'bob', 'GET', `${API}/projects/shop/role-bindings?user=carol`)).body.roleBindings.length, 0);
    assert.equal((await callAs(h, 'bob', 'GET', `${API}/projects/shop/role-bindings?state=ACTIVE&user=alice`)).body.roleBindings.length, 1);
  });

  it('refuses the listing to members (403) and names an unknown project (404)', async () => {
    await aliceRole(h);
    for (const user of ['alice', 'carol', 'olga'] as const) {
      const r = await callAs(h, user, 'GET', `${API}/projects/shop/role-bindings`);
      assert.equal(r.status, 403, user);
      assert.match(r.body.error.message, /Only project owners, workspace DBAs and admins can review the role bindings/);
    }
    assert.equal((await callAs(h, 'bob', 'GET', `${API}/projects/nope/role-bindings`)).status, 404);
  });

  it('an owner revokes a role: REVOKED, audited, the holder and reviewers are told, and the next query is refused', async () => {
    const id = await aliceRole(h);
    assert.equal((await query(h)).status, 200);
    const told = inbox(h, ['alice', 'bob', 'dana', 'admin', 'carol', 'olga']);
    const r = await callAs(h, 'bob', 'POST', `${API}/role-bindings/${id}/revoke`, { reason: 'approved by mistake' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.state, 'REVOKED');
    assert.equal(r.body.revokedBy, 'bob');
    assert.equal(r.body.revokeTime, new Date(h.clock.now()).toISOString());
    assert.deepEqual(r.body.approvers, ['bob', 'dana']);
    const line = h.auditLines().at(-1);
    assert.deepEqual([line.action, line.actor, line.bindingId, line.detail.reason], ['role.revoke', 'bob', id, 'approved by mistake']);
    assert.deepEqual(told('role.revoked'), ['alice', 'bob', 'dana', 'admin']);
    const denied = await query(h);
    assert.equal(denied.status, 403, JSON.stringify(denied.body));
    assert.equal((await callAs(h, 'alice', 'POST', `${API}/projects/shop/export`, { database: 'demo/sales', statement: SELECT, format: 'csv' })).status, 403);
    const me = (await callAs(h, 'alice', 'GET', `${API}/me`)).body;
    assert.deepEqual(me.projects[0].roles.map((x: any) => x.role), ['projectDeveloper']);
    assert.equal((await callAs(h, 'bob', 'GET', `${API}/projects/shop/role-bindings?state=REVOKED`)).body.roleBindings[0].id, id);
  });

  it('the holder revokes their own role; an admin may too', async () => {
    const own = await aliceRole(h);
    assert.equal((await callAs(h, 'alice', 'POST', `${API}/role-bindings/${own}/revoke`, {})).status, 200);
    const other = await aliceRole(h);
    assert.equal((await callAs(h, 'admin', 'POST', `${API}/role-bindings/${other}/revoke`, {})).status, 200);
  });

  it('refuses others (403), an unknown binding (404) and one no longer active (409), changing nothing', async () => {
    const id = await aliceRole(h);
    for (const user of ['carol', 'dana', 'olga'] as const) {
      await expectRefused(h, () => callAs(h, user, 'POST', `${API}/role-bindings/${id}/revoke`, {}), 403, 'PERMISSION_DENIED', /Only the holder, the project owners and workspace admins/);
    }
    await expectRefused(h, () => callAs(h, 'bob', 'POST', `${API}/role-bindings/999/revoke`, {}), 404, 'NOT_FOUND', /Role binding "999" does not exist/);
    assert.equal((await callAs(h, 'bob', 'POST', `${API}/role-bindings/${id}/revoke`, {})).status, 200);
    await expectRefused(h, () => callAs(h, 'bob', 'POST', `${API}/role-bindings/${id}/revoke`, {}), 409, 'FAILED_PRECONDITION', /is revoked, not active/);
    const expiring = await aliceRole(h);
    await h.advance(3_600_000);
    await expectRefused(h, () => callAs(h, 'alice', 'POST', `${API}/role-bindings/${expiring}/revoke`, {}), 409, 'FAILED_PRECONDITION', /is expired, not active/);
  });

  it('a role revoked while its query runs returns no rows, as a revoked grant does', async () => {
    const id = await aliceRole(h);
    const engines = h.service.deps.engines;
    const real = engines.get('demo')!;
    engines.set('demo', {
      ...real,
      close: () => real.close(),
      query: (...args) => real.query(...args),
      // A query's rows are encoded by the engine (issue 21): it opens its statement with openEncoded.
      async openEncoded(...args) {
        assert.equal((await callAs(h, 'bob', 'POST', `${API}/role-bindings/${id}/revoke`, {})).status, 200);
        return real.openEncoded!(...args);
      },
    });
    const res = await query(h);
    assert.equal(res.status, 409, JSON.stringify(res.body));
    assert.equal(res.body.rows, undefined);
    assert.match(res.body.error.message, /Your role on demo\/sales lapsed while the statement ran/);
  });
});
