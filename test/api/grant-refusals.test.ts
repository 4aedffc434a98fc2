// Who may see, list, use and revoke a grant, as the refused user reads it, and who hears of a
// revoke: rules of server/domain/grants.ts whose messages and event a mutation run found
// untested (issue 15). carol is a second developer of shop: a member, but neither the grant's
// holder nor an owner.
import assert from 'node:assert/strict';
import type { ServiceEvent } from '../../server/events/bus.js';
import { startHarness, testConfig, type Harness } from '../support/harness.js';
import { API, activeGrant, addOtherUsers, callAs, getGrant } from './helpers.js';

describe('grant refusals, in the words the user reads', () => {
  let h: Harness;
  beforeEach(async () => (h = await startHarness(testConfig(addOtherUsers))));
  afterEach(async () => h.close());

  const refusal = (res: { status: number; body: any }) => ({ status: res.status, code: res.body?.error?.code, message: res.body?.error?.message });

  it('only the holder and the project\'s reviewers see a grant', async () => {
    const grant = await activeGrant(h);
    assert.deepEqual(refusal(await callAs(h, 'carol', 'GET', `${API}/grants/${grant.id}`)), {
      status: 403, code: 'PERMISSION_DENIED', message: 'Only the holder of a grant and the project owners can see it',
    });
    for (const user of ['alice', 'bob', 'dana'] as const) assert.equal((await callAs(h, user, 'GET', `${API}/grants/${grant.id}`)).status, 200, user);
  });

  it('only owners, DBAs and admins list a project\'s grants', async () => {
    await activeGrant(h);
    assert.deepEqual(refusal(await callAs(h, 'alice', 'GET', `${API}/projects/shop/grants`)), {
      status: 403, code: 'PERMISSION_DENIED', message: 'Only project owners, workspace DBAs and admins can review the grants of a project',
    });
    assert.equal((await callAs(h, 'dana', 'GET', `${API}/projects/shop/grants`)).body.grants.length, 1);
    assert.deepEqual(refusal(await callAs(h, 'dana', 'GET', `${API}/projects/nope/grants`)), {
      status: 404, code: 'NOT_FOUND', message: 'Project "nope" does not exist',
    });
  });

  it('a run against a database the grant does not cover lists every database it does cover', async () => {
    const grant = await activeGrant(h, { databases: ['demo/hr', 'demo/sales'], statement: 'SELECT 1 AS one' });
    const res = await callAs(h, 'alice', 'POST', `${API}/grants/${grant.id}/run`, { database: 'demo/inventory' });
    assert.deepEqual(refusal(res), {
      status: 400, code: 'INVALID_ARGUMENT', message: `Grant ${grant.id} does not cover database "demo/inventory"; it covers demo/hr, demo/sales`,
    });
  });

  it('another member can neither revoke nor use the grant, and it stays active', async () => {
    const grant = await activeGrant(h);
    assert.deepEqual(refusal(await callAs(h, 'carol', 'POST', `${API}/grants/${grant.id}/revoke`, { reason: 'mine now' })), {
      status: 403, code: 'PERMISSION_DENIED', message: 'Only the holder, the project owners and workspace admins can revoke a grant',
    });
    assert.deepEqual(refusal(await callAs(h, 'carol', 'POST', `${API}/grants/${grant.id}/run`, {})), {
      status: 403, code: 'PERMISSION_DENIED', message: 'Only the holder of a grant can use it',
    });
    assert.equal((await getGrant(h, grant.id)).state, 'ACTIVE');
    assert.equal(h.auditLines().filter((l) => l.action === 'grant.revoked').length, 0);
  });

  it('a grant without export cannot be exported, and says how to get one', async () => {
    const grant = await activeGrant(h);
    const res = await callAs(h, 'alice', 'GET', `${API}/grants/${grant.id}/export?format=csv`);
    assert.deepEqual(refusal(res), {
      status: 403, code: 'PERMISSION_DENIED', message: `Grant ${grant.id} does not include export; request access with Export`,
    });
  });

  it('a revoke is announced to the holder only', async () => {
    const grant = await activeGrant(h);
    const heard = new Map<string, ServiceEvent[]>();
    for (const user of ['alice', 'bob', 'carol']) {
      heard.set(user, []);
      h.service.deps.events.subscribe(user, (e) => heard.get(user)!.push(e));
    }
    assert.equal((await callAs(h, 'bob', 'POST', `${API}/grants/${grant.id}/revoke`, { reason: 'ticket closed' })).status, 200);
    const revoked = (user: string) => heard.get(user)!.filter((e) => e.type === 'grant.revoked');
    assert.deepEqual(revoked('alice').map((e) => e.data), [{ grantId: grant.id, project: 'shop', by: 'bob', reason: 'ticket closed' }]);
    assert.deepEqual(revoked('bob'), []);
    assert.deepEqual(revoked('carol'), []);
  });
});
