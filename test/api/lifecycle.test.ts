import assert from 'node:assert/strict';
import { startHarness, testConfig, type Harness } from '../support/harness.js';
import { API, actions, activeGrant, addOtherUsers, callAs, decide, getGrant, getRequest, requestAccess, requestRole } from './helpers.js';

const HOUR = 3_600_000;

describe('lifecycle', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  describe('with the demo rules', () => {
    beforeEach(async () => (h = await startHarness(testConfig(addOtherUsers))));

    it('unmask needs the owner, then a DBA; time starts at the last approval', async () => {
      const { request, grant } = await requestAccess(h, { databases: ['demo/hr'], statement: 'SELECT name, email FROM employees', unmask: true });
      assert.deepEqual(request.steps.map((s: any) => s.roles), [['projectOwner'], ['workspaceDBA']]);
      assert.equal(request.rule.title, 'Unmask or export needs the owner, then a DBA');
      assert.deepEqual(request.payload.tables, ['employees']);

      // dana cannot take the first step; the steps go in order.
      assert.equal((await h.json('dana', 'POST', `${API}/requests/${request.id}/approve`, {})).status, 403);
      const afterBob = await decide(h, 'bob', request.id);
      assert.equal(afterBob.status, 'OPEN');
      assert.equal(afterBob.currentStep, 1);
      assert.equal(afterBob.steps[0].approver, 'bob');
      assert.equal((await getGrant(h, grant.id)).state, 'PENDING');
      assert.equal((await h.json('alice', 'POST', `${API}/grants/${grant.id}/run`, {})).status, 409);

      await h.advance(10 * 60_000);
      const final = await decide(h, 'dana', request.id);
      assert.equal(final.status, 'APPROVED');
      assert.deepEqual(final.steps.map((s: any) => [s.approver, s.decision]), [['bob', 'APPROVED'], ['dana', 'APPROVED']]);
      const active = await getGrant(h, grant.id);
      assert.equal(active.state, 'ACTIVE');
      assert.equal(active.activateTime, new Date(h.clock.now()).toISOString());
      assert.equal(Date.parse(active.expireTime), h.clock.now() + HOUR);
      assert.deepEqual(actions(h), ['request.created', 'request.step.approved', 'grant.run', 'request.step.approved', 'request.approved', 'grant.activated']);
      assert.equal(h.auditLines()[2].outcome, 'denied');
    });

    it('the same approver cannot approve two steps', async () => {
      await h.close();
      h = await startHarness(testConfig((c) => (c.users.find((u) => u.id === 'bob')!.workspaceRole = 'workspaceDBA')));
      const { request } = await requestAccess(h, { unmask: true });
      await decide(h, 'bob', request.id);
      const again = await h.json('bob', 'POST', `${API}/requests/${request.id}/approve`, {});
      assert.equal(again.status, 403);
      assert.match(again.body.error.message, /already approved an earlier step/);
      assert.equal((await decide(h, 'dana', request.id)).status, 'APPROVED');
    });

    it('an approved role request binds the role until it lapses by itself', async () => {
      const request = await requestRole(h);
      await decide(h, 'bob', request.id);
      const approved = await decide(h, 'dana', request.id);
      assert.equal(approved.status, 'APPROVED');
      const me = await h.json('alice', 'GET', `${API}/me`);
      const roles = me.body.projects.find((p: any) => p.id === 'shop').roles;
      assert.deepEqual(roles, [
        { role: 'projectDeveloper' },
        { role: 'sqlEditorUser', expireTime: new Date(h.clock.now() + HOUR).toISOString(), databases: ['demo/sales'], bindingId: approved.bindingId },
      ]);

      await h.advance(HOUR);
      const later = await h.json('alice', 'GET', `${API}/me`);
      assert.deepEqual(later.body.projects.find((p: any) => p.id === 'shop').roles, [{ role: 'projectDeveloper' }]);
      const expired = h.auditLines().filter((l) => l.action === 'role.expired');
      assert.equal(expired.length, 1);
      assert.equal(expired[0].actor, 'system');
      assert.equal(expired[0].bindingId, approved.bindingId);
    });

    it('a rejection at any step ends the request and its grant', async () => {
      const { request, grant } = await requestAccess(h, { unmask: true });
      await decide(h, 'bob', request.id);
      const rejected = await decide(h, 'dana', request.id, 'reject');
      assert.equal(rejected.status, 'REJECTED');
      assert.equal(rejected.steps[1].decision, 'REJECTED');
      assert.equal((await getGrant(h, grant.id)).state, 'REJECTED');
      assert.equal((await h.json('dana', 'POST', `${API}/requests/${request.id}/approve`, {})).status, 409);
      assert.ok(actions(h).includes('request.rejected'));
    });

    it('a rejected or canceled role request binds nothing', async () => {
      const rejected = await requestRole(h);
      await decide(h, 'bob', rejected.id);
      assert.equal((await decide(h, 'dana', rejected.id, 'reject')).bindingId, undefined);
      const canceled = await requestRole(h);
      assert.equal((await decide(h, 'alice', canceled.id, 'cancel')).status, 'CANCELED');
      assert.deepEqual(await h.service.deps.ledger.listBindings({}), []);
      assert.deepEqual((await h.json('alice', 'GET', `${API}/me`)).body.projects[0].roles, [{ role: 'projectDeveloper' }]);
    });

    it('only the creator cancels, and a canceled request cannot be approved', async () => {
      const { request, grant } = await requestAccess(h);
      const byOwner = await h.json('bob', 'POST', `${API}/requests/${request.id}/cancel`, {});
      assert.equal(byOwner.status, 403);
      assert.match(byOwner.body.error.message, /Only the creator/);
      assert.equal((await decide(h, 'alice', request.id, 'cancel')).status, 'CANCELED');
      assert.equal((await getGrant(h, grant.id)).state, 'CANCELED');
      assert.equal((await h.json('bob', 'POST', `${API}/requests/${request.id}/approve`, {})).status, 409);
    });

    it('self-approval is refused even when the requester holds the step role', async () => {
      await h.close();
      h = await startHarness(testConfig((c) => c.projects[0].members[0].roles.push('projectOwner')));
      const { request } = await requestAccess(h);
      const self = await h.json('alice', 'POST', `${API}/requests/${request.id}/approve`, {});
      assert.equal(self.status, 403);
      assert.match(self.body.error.message, /your own request/);
      assert.deepEqual((await h.json('alice', 'GET', `${API}/requests?view=to-approve`)).body.requests, []);
      assert.equal((await decide(h, 'bob', request.id)).status, 'APPROVED');
    });

    it('a time-boxed owner role limited to some databases approves only requests within them', async () => {
      const role = await requestRole(h, { role: 'projectOwner', databases: ['demo/sales'] }, 'carol');
      await decide(h, 'bob', role.id);
      await decide(h, 'dana', role.id);
      const hr = await requestAccess(h, { databases: ['demo/hr'], statement: 'SELECT name FROM employees' });
      const both = await requestAccess(h, { databases: ['demo/sales', 'demo/hr'], statement: 'SELECT 1' });
      for (const { request } of [hr, both]) {
        const refused = await callAs(h, 'carol', 'POST', `${API}/requests/${request.id}/approve`, {});
        assert.equal(refused.status, 403);
        assert.match(refused.body.error.message, /needs an approver with one of the roles: projectOwner/);
      }
      const sales = await requestAccess(h);
      assert.deepEqual((await callAs(h, 'carol', 'GET', `${API}/requests?view=to-approve`)).body.requests.map((r: any) => r.id), [sales.request.id]);
      assert.equal((await decide(h, 'carol', sales.request.id)).status, 'APPROVED');
    });

    it('a database-limited owner role gives no project-wide powers: settings, reviewing or revoking others\' grants', async () => {
      const role = await requestRole(h, { role: 'projectOwner', databases: ['demo/sales'] }, 'carol');
      await decide(h, 'bob', role.id);
      await decide(h, 'dana', role.id);
      const grant = await activeGrant(h);
      const settings = await callAs(h, 'carol', 'PATCH', `${API}/projects/shop/settings`, { jitAccess: false });
      assert.equal(settings.status, 403);
      assert.equal((await callAs(h, 'carol', 'GET', `${API}/projects/shop/grants`)).status, 403);
      assert.equal((await callAs(h, 'carol', 'GET', `${API}/grants/${grant.id}`)).status, 403);
      const revoke = await callAs(h, 'carol', 'POST', `${API}/grants/${grant.id}/revoke`, {});
      assert.equal(revoke.status, 403);
      assert.equal((await getGrant(h, grant.id)).state, 'ACTIVE');
    });

    it('revoke: holder, owner and admin may; another member and a DBA may not; a revoked grant does not run', async () => {
      for (const user of ['alice', 'bob', 'admin'] as const) {
        const grant = await activeGrant(h);
        for (const outsider of ['carol', 'dana', 'olga'] as const) {
          assert.equal((await callAs(h, outsider, 'POST', `${API}/grants/${grant.id}/revoke`, {})).status, 403, outsider);
        }
        const revoked = await callAs(h, user, 'POST', `${API}/grants/${grant.id}/revoke`, { reason: 'done' });
        assert.equal(revoked.status, 200, user);
        assert.equal(revoked.body.state, 'REVOKED');
        assert.equal(revoked.body.revokedBy, user);
        const run = await h.json('alice', 'POST', `${API}/grants/${grant.id}/run`, {});
        assert.equal(run.status, 409);
        assert.match(run.body.error.message, /revoked/);
        assert.equal((await callAs(h, user, 'POST', `${API}/grants/${grant.id}/revoke`, {})).status, 409);
      }
      assert.equal(actions(h).filter((a) => a === 'grant.revoked').length, 3);
    });

    it('feature switches: jitAccess off refuses access requests, allowRequestRole off refuses role requests', async () => {
      const off = await h.json('bob', 'PATCH', `${API}/projects/shop/settings`, { jitAccess: false });
      assert.deepEqual(off.body, { allowRequestRole: true, jitAccess: false });
      const access = await h.json('alice', 'POST', `${API}/projects/shop/access-requests`, { databases: ['demo/sales'], statement: 'SELECT 1', duration: '1h', reason: 'x' });
      assert.equal(access.status, 409);
      assert.equal(access.body.error.code, 'FAILED_PRECONDITION');
      assert.match(access.body.error.message, /turned off/);
      await requestRole(h);

      await h.json('bob', 'PATCH', `${API}/projects/shop/settings`, { jitAccess: true, allowRequestRole: false });
      await requestAccess(h);
      const role = await h.json('alice', 'POST', `${API}/projects/shop/role-requests`, { role: 'sqlEditorUser', databases: ['demo/sales'], duration: '1h', reason: 'x' });
      assert.equal(role.status, 409);
      assert.match(role.body.error.message, /Role requests are turned off/);
      assert.equal(actions(h).filter((a) => a === 'settings.changed').length, 2);
    });

    it('settings patched at the same time are all kept', async () => {
      const results = await Promise.all([
        h.json('admin', 'PATCH', `${API}/workspace/settings`, { reminderBefore: '30m' }),
        h.json('admin', 'PATCH', `${API}/workspace/settings`, { maxResultRows: 5 }),
        h.json('bob', 'PATCH', `${API}/projects/shop/settings`, { jitAccess: false }),
        h.json('admin', 'PATCH', `${API}/projects/shop/settings`, { allowRequestRole: false }),
      ]);
      assert.deepEqual(results.map((r) => r.status), [200, 200, 200, 200]);
      const workspace = (await h.json('alice', 'GET', `${API}/workspace/settings`)).body;
      assert.deepEqual([workspace.reminderBefore, workspace.maxResultRows], ['30m', 5]);
      assert.deepEqual((await h.json('admin', 'GET', `${API}/projects/shop`)).body.settings, { allowRequestRole: false, jitAccess: false });
      assert.equal(actions(h).filter((a) => a === 'settings.changed').length, 4);
    });

    it('GET /requests: mine and to-approve', async () => {
      const plain = await requestAccess(h);
      const unmask = await requestAccess(h, { unmask: true });
      const ids = (r: any) => r.body.requests.map((x: any) => x.id);
      assert.deepEqual(ids(await h.json('alice', 'GET', `${API}/requests?view=mine`)), [unmask.request.id, plain.request.id]);
      assert.deepEqual(ids(await h.json('alice', 'GET', `${API}/requests?view=to-approve`)), []);
      assert.deepEqual(ids(await h.json('bob', 'GET', `${API}/requests?view=to-approve`)), [unmask.request.id, plain.request.id]);
      assert.deepEqual(ids(await h.json('dana', 'GET', `${API}/requests?view=to-approve`)), []);
      assert.deepEqual(ids(await h.json('bob', 'GET', `${API}/requests?view=mine`)), []);
      await decide(h, 'bob', unmask.request.id);
      assert.deepEqual(ids(await h.json('bob', 'GET', `${API}/requests?view=to-approve`)), [plain.request.id]);
      assert.deepEqual(ids(await h.json('dana', 'GET', `${API}/requests?view=to-approve`)), [unmask.request.id]);
      assert.deepEqual(ids(await h.json('alice', 'GET', `${API}/requests?status=OPEN&view=mine`)), [unmask.request.id, plain.request.id]);
      await decide(h, 'bob', plain.request.id);
      assert.deepEqual(ids(await h.json('alice', 'GET', `${API}/requests?status=APPROVED`)), [plain.request.id]);
      assert.deepEqual(ids(await callAs(h, 'olga', 'GET', `${API}/requests`)), []);
    });

    it('GET /projects/:p/grants reviews every grant of the project, by state and user', async () => {
      const active = await activeGrant(h);
      const pending = (await requestAccess(h, {}, 'carol')).grant;
      const ids = (r: any) => r.body.grants.map((g: any) => g.id);
      assert.deepEqual(ids(await h.json('bob', 'GET', `${API}/projects/shop/grants`)), [pending.id, active.id]);
      assert.deepEqual(ids(await h.json('dana', 'GET', `${API}/projects/shop/grants?state=ACTIVE`)), [active.id]);
      assert.deepEqual(ids(await h.json('admin', 'GET', `${API}/projects/shop/grants?user=carol`)), [pending.id]);
      assert.deepEqual(ids(await h.json('alice', 'GET', `${API}/grants`)), [active.id]);
      assert.deepEqual(ids(await h.json('alice', 'GET', `${API}/grants?state=PENDING`)), []);
      assert.equal((await h.json('bob', 'GET', `${API}/projects/nope/grants`)).status, 404);
    });

    it('the approved statement is stored and run byte for byte', async () => {
      const statement = '  -- ticket 42\n\tSELECT country\r\n  FROM customers WHERE country = \'SE\' ;  ';
      const grant = await activeGrant(h, { statement });
      assert.equal(grant.statement, statement);
      assert.equal((await h.json('alice', 'POST', `${API}/grants/${grant.id}/run`, {})).body.rowCount, 156);
      const run = h.auditLines().find((l) => l.action === 'grant.run');
      assert.equal(run.statement, statement);
    });

    it('two approvals of the same step at once: one wins, the other is refused', async () => {
      const { request } = await requestAccess(h);
      const approve = () => h.json('bob', 'POST', `${API}/requests/${request.id}/approve`, {});
      const results = await Promise.all([approve(), approve(), approve()]);
      assert.deepEqual(results.map((r) => r.status).sort(), [200, 409, 409]);
      assert.equal(actions(h).filter((a) => a === 'grant.activated').length, 1);
    });

    it('GET /events streams a user\'s own events', async () => {
      const res = await h.call('bob', 'GET', `${API}/events`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      let text = '';
      const { request } = await requestAccess(h);
      while (!text.includes('event: request.created')) text += (await reader.read()).value;
      await reader.cancel();
      const data = JSON.parse(/event: request\.created\ndata: (.*)\n/.exec(text)![1]);
      assert.deepEqual(data, { requestId: request.id, project: 'shop', creator: 'alice', type: 'ACCESS_GRANT' });
    });

    it('restart keeps requests, grants, bindings and settings', async () => {
      const grant = await activeGrant(h);
      const { request } = await requestAccess(h, { unmask: true });
      await decide(h, 'bob', request.id);
      await h.json('bob', 'PATCH', `${API}/projects/shop/settings`, { allowRequestRole: false });
      const before = h.auditLines().length;
      await h.restart();
      assert.equal((await getGrant(h, grant.id)).state, 'ACTIVE');
      assert.equal((await getRequest(h, request.id)).currentStep, 1);
      assert.equal((await h.json('admin', 'GET', `${API}/projects/shop`)).body.settings.allowRequestRole, false);
      assert.equal((await decide(h, 'dana', request.id)).status, 'APPROVED');
      assert.equal((await h.json('alice', 'POST', `${API}/grants/${grant.id}/run`, {})).status, 200);
      // The audit chain continues across the restart.
      const lines = h.auditLines();
      assert.equal(lines[before].prevHash, lines[before - 1].hash);
      assert.equal(lines[before].seq, before + 1);
    });
  });

  describe('with auto-approval', () => {
    beforeEach(async () => {
      h = await startHarness(
        testConfig((c) => c.approvalRules.REQUEST_ACCESS.unshift({ title: 'Sales reads are fine', condition: 'resource.database_name == "sales" && !request.unmask', steps: [] })),
      );
    });

    it('steps: [] approves at once and the grant is active', async () => {
      const { request, grant } = await requestAccess(h);
      assert.equal(request.status, 'APPROVED');
      assert.deepEqual(request.steps, []);
      assert.equal(request.rule.title, 'Sales reads are fine');
      assert.equal(grant.state, 'ACTIVE');
      assert.equal(Date.parse(grant.expireTime), h.clock.now() + HOUR);
      assert.deepEqual(actions(h), ['request.created', 'request.approved', 'grant.activated']);
      assert.equal((await h.json('alice', 'POST', `${API}/grants/${grant.id}/run`, {})).status, 200);
    });
  });
});
