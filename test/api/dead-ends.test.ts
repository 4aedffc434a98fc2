// No dead ends: a request that nobody but its creator could approve is refused when it is
// made — with the step and the roles it lacks named — instead of waiting out its pending time.
import assert from 'node:assert/strict';
import { demoConfig } from '../../server/demo/demo-config.js';
import { startHarness, testConfig, type Harness } from '../support/harness.js';
import { API, accessBody, addOtherUsers, callAs, expectRefused } from './helpers.js';

const HR_READ = { databases: ['demo/hr'], statement: 'SELECT name FROM employees' };

describe('dead ends', () => {
  let h: Harness;
  afterEach(async () => h.close());

  it('refuses a prod read by the project\'s only owner, names the step and its roles, and writes nothing', async () => {
    h = await startHarness();
    const error = await expectRefused(
      h,
      () => callAs(h, 'bob', 'POST', `${API}/projects/shop/access-requests`, accessBody(HR_READ)),
      409, 'FAILED_PRECONDITION',
      /^Nobody but you can approve step 1 \(needs projectOwner\): ask a workspace admin to add an approver$/,
    );
    assert.deepEqual(error.details, { step: 1, roles: ['projectOwner'] });
    assert.deepEqual((await callAs(h, 'bob', 'GET', `${API}/requests?view=mine`)).body.requests, []);
  });

  it('names a later step when that is the one nobody else can approve', async () => {
    h = await startHarness(testConfig((c) => {
      c.users.find((u) => u.id === 'dana')!.workspaceRole = 'workspaceMember';
    }));
    const error = await expectRefused(
      h,
      () => callAs(h, 'alice', 'POST', `${API}/projects/shop/access-requests`, accessBody({ ...HR_READ, unmask: true })),
      409, 'FAILED_PRECONDITION', /^Nobody but you can approve step 2 \(needs workspaceDBA\)/,
    );
    assert.deepEqual(error.details, { step: 2, roles: ['workspaceDBA'] });
    const role = await callAs(h, 'alice', 'POST', `${API}/projects/shop/role-requests`, { role: 'sqlEditorUser', databases: ['demo/sales'], duration: '1h', reason: 'x' });
    assert.equal(role.status, 409, 'role requests are checked too');
    assert.match(role.body.error.message, /step 2 \(needs workspaceDBA\)/);
  });

  it('accepts the same request once someone else holds the role', async () => {
    h = await startHarness(testConfig((c) => {
      addOtherUsers(c);
      c.projects[0].members.find((m) => m.user === 'carol')!.roles.push('projectOwner');
    }));
    const r = await callAs(h, 'bob', 'POST', `${API}/projects/shop/access-requests`, accessBody(HR_READ));
    assert.equal(r.status, 201, JSON.stringify(r.body));
  });

  it('leaves every request of the demo\'s flows approvable', async () => {
    h = await startHarness(demoConfig());
    const bodies = [
      ['access-requests', accessBody(HR_READ)],
      ['access-requests', accessBody({ ...HR_READ, unmask: true, export: true })],
      ['role-requests', { role: 'sqlEditorUser', databases: ['demo/hr'], duration: '2h', reason: 'on call' }],
      ['role-requests', { role: 'projectExporter', databases: ['demo/sales'], duration: '1h', reason: 'report' }],
    ] as const;
    for (const [kind, body] of bodies) {
      const r = await callAs(h, 'alice', 'POST', `${API}/projects/shop/${kind}`, body);
      assert.equal(r.status, 201, JSON.stringify(r.body));
    }
  });
});
