// How often a grant was used and when last, as its reviewers read it in the project's grant
// list: uses from before a later grant existed still count, and the last use is the newest of
// every run and export, whichever kind came last (issue 15: mutants of server/domain/usage.ts).
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../support/harness.js';
import { API, activeGrant, callAs, decide, requestAccess } from './helpers.js';

const MINUTE = 60_000;
const at = (h: Harness) => new Date(h.clock.now()).toISOString();

async function usage(h: Harness, grantId: string) {
  const r = await callAs(h, 'bob', 'GET', `${API}/projects/shop/grants`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.grants.find((g: any) => g.id === grantId).usage;
}

async function run(h: Harness, grantId: string) {
  assert.equal((await callAs(h, 'alice', 'POST', `${API}/grants/${grantId}/run`, {})).status, 200);
}

describe('grant usage in the review list', () => {
  let h: Harness;
  beforeEach(async () => (h = await startHarness()));
  afterEach(async () => h.close());

  it('counts the uses of an older grant made before a newer grant was created', async () => {
    const old = await activeGrant(h);
    await run(h, old.id);
    const used = at(h);
    h.clock.advance(MINUTE);
    const newer = await activeGrant(h);
    assert.deepEqual(await usage(h, old.id), { runs: 1, exports: 0, lastUsedTime: used });
    assert.deepEqual(await usage(h, newer.id), { runs: 0, exports: 0 });
  });

  it('the last use is a run made after an export', async () => {
    const { request, grant } = await requestAccess(h, { export: true });
    await decide(h, 'bob', request.id);
    await decide(h, 'dana', request.id);
    await run(h, grant.id);
    h.clock.advance(MINUTE);
    const exported = await h.call('alice', 'GET', `${API}/grants/${grant.id}/export?format=csv`);
    assert.equal(exported.status, 200);
    await exported.text();
    h.clock.advance(MINUTE);
    await run(h, grant.id);
    const last = at(h);
    h.clock.advance(MINUTE);
    assert.deepEqual(await usage(h, grant.id), { runs: 2, exports: 1, lastUsedTime: last });
  });
});
