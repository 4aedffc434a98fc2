// Concurrency: many decisions on one request at once, a run racing a revoke, and many
// requests at once — the ledger's serialized transactions must keep each of them whole.
import assert from 'node:assert/strict';
import type { Config } from '../../server/config/schema.js';
import { activeGrant, API, approve, request, startRel, type Rel } from './support/inproc.js';

const OWNERS = Array.from({ length: 49 }, (_, i) => `owner${String(i + 1).padStart(2, '0')}`);
const DBAS = Array.from({ length: 25 }, (_, i) => `dba${String(i + 1).padStart(2, '0')}`);
const extraTokens = Object.fromEntries([...OWNERS, ...DBAS].map((u) => [u, `${u}-reliability-token`]));

function addApprovers(c: Config): void {
  // These tests race one user's runs against each other on purpose: the fair share per user
  // (tested in test/api/data-limits.test.ts) would refuse most of them.
  c.workspace.maxRunningPerUser = 100;
  c.workspace.maxRunningPerInstance = 100;
  for (const id of OWNERS) {
    c.users.push({ id, name: id, email: `${id}@example.com`, token: extraTokens[id], workspaceRole: 'workspaceMember' });
    c.projects[0].members.push({ user: id, roles: ['projectOwner'] });
  }
  for (const id of DBAS) c.users.push({ id, name: id, email: `${id}@example.com`, token: extraTokens[id], workspaceRole: 'workspaceDBA' });
}

const linesOf = (r: Rel, requestId: string, action: string) => r.audit().filter((l) => l.requestId === requestId && l.action === action);

describe('concurrency', () => {
  let r: Rel;
  beforeEach(async () => (r = await startRel(addApprovers, extraTokens)));
  afterEach(async () => r.close());

  it('50 simultaneous approvals of a one-step request: one accepted, one activation, one audit line per accepted decision', async () => {
    const { request: req, grant } = await request(r);
    const callers = ['bob', ...OWNERS.slice(0, 45), 'alice', 'alice', 'dana', 'dana'];
    assert.equal(callers.length, 50);
    const results = await Promise.all(callers.map(async (u) => ({ u, ...(await r.call(u, 'POST', `${API}/requests/${req.id}/approve`, { comment: u })) })));
    const accepted = results.filter((x) => x.status === 200);
    assert.equal(accepted.length, 1, JSON.stringify(results.map((x) => x.status)));
    assert.ok(bobOrOwner(accepted[0].u));
    for (const x of results.filter((x) => x.status !== 200)) {
      if (x.u === 'alice' || x.u === 'dana') assert.ok([403, 409].includes(x.status), `${x.u} → ${x.status}`);
      else assert.equal(x.status, 409, `${x.u} → ${x.status} ${JSON.stringify(x.body)}`);
    }
    assert.equal(linesOf(r, req.id, 'request.step.approved').length, 1);
    assert.equal(linesOf(r, req.id, 'request.approved').length, 1);
    const activations = r.audit().filter((l) => l.action === 'grant.activated' && l.grantId === grant.id);
    assert.equal(activations.length, 1);
    assert.equal(activations[0].actor, accepted[0].u);
    const after = (await r.call('admin', 'GET', `${API}/requests/${req.id}`)).body;
    assert.equal(after.status, 'APPROVED');
    assert.equal(after.steps[0].approver, accepted[0].u);
    assert.equal((await r.call('alice', 'GET', `${API}/grants/${grant.id}`)).body.state, 'ACTIVE');
  });

  it('50 simultaneous approvals of a two-step request (owners and DBAs): each step decided once, one audit line per accepted decision', async () => {
    const { request: req, grant } = await request(r, { unmask: true, databases: ['demo/hr'], statement: 'SELECT name, email FROM employees' });
    assert.equal(req.steps.length, 2);
    const callers = [...OWNERS.slice(0, 25), ...DBAS];
    const results = await Promise.all(callers.map(async (u) => ({ u, ...(await r.call(u, 'POST', `${API}/requests/${req.id}/approve`, {})) })));
    const accepted = results.filter((x) => x.status === 200);
    const ownersAccepted = accepted.filter((x) => x.u.startsWith('owner'));
    const dbasAccepted = accepted.filter((x) => x.u.startsWith('dba'));
    assert.equal(ownersAccepted.length, 1, 'the owner step is decided once');
    assert.ok(dbasAccepted.length <= 1, 'the DBA step is decided at most once');
    for (const x of results.filter((x) => x.status !== 200)) assert.ok([403, 409].includes(x.status), `${x.u} → ${x.status}`);
    assert.equal(linesOf(r, req.id, 'request.step.approved').length, accepted.length, 'one audit line per accepted decision');
    const activations = r.audit().filter((l) => l.action === 'grant.activated' && l.grantId === grant.id);
    assert.equal(activations.length, dbasAccepted.length);
    if (dbasAccepted.length === 0) {
      // Every DBA came before the owner's step committed; one more decides it now.
      await approve(r, req.id, 'dana');
    }
    assert.equal((await r.call('alice', 'GET', `${API}/grants/${grant.id}`)).body.state, 'ACTIVE');
    assert.equal(r.audit().filter((l) => l.action === 'grant.activated' && l.grantId === grant.id).length, 1);
  });

  it('a run racing a revoke: nothing runs after the revoke returned, and every successful run is audited before the revoke', async () => {
    // A statement slow enough (tens of ms) that runs are still in flight when the revoke lands.
    const slow = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 200000) SELECT count(*) AS n FROM c';
    const grant = await activeGrant(r, { statement: slow });
    let revokeReturned = false;
    const outcomes: { startedAfterRevoke: boolean; status: number }[] = [];
    let stop = false;
    const runner = async () => {
      for (let i = 0; i < 40 && !stop; i++) {
        const startedAfterRevoke = revokeReturned;
        const res = await r.call('alice', 'POST', `${API}/grants/${grant.id}/run`, {});
        outcomes.push({ startedAfterRevoke, status: res.status });
        if (startedAfterRevoke) stop = true;
      }
    };
    const runners = [runner(), runner(), runner()];
    // Revoke while runs are in flight: after the first one has finished, with others started.
    const deadline = Date.now() + 20_000;
    while (outcomes.length < 2 && Date.now() < deadline) await new Promise((res) => setImmediate(res));
    const revoked = await r.call('bob', 'POST', `${API}/grants/${grant.id}/revoke`, { reason: 'race' });
    revokeReturned = true;
    assert.equal(revoked.status, 200);
    await Promise.all(runners);

    const after = outcomes.filter((o) => o.startedAfterRevoke);
    assert.ok(after.length >= 1, 'runs were tried after the revoke returned');
    for (const o of after) assert.equal(o.status, 409, 'a run started after the revoke returned must be refused');
    for (const o of outcomes) assert.ok([200, 409].includes(o.status), `run → ${o.status}`);
    const lines = r.audit().filter((l) => l.grantId === grant.id);
    const revokeSeq = lines.find((l) => l.action === 'grant.revoked').seq;
    const okRuns = lines.filter((l) => l.action === 'grant.run' && l.outcome === 'ok');
    assert.equal(okRuns.length, outcomes.filter((o) => o.status === 200).length, 'one ok audit line per successful run');
    for (const l of okRuns) assert.ok(l.seq < revokeSeq, `an ok run (seq ${l.seq}) was audited after the revoke (seq ${revokeSeq})`);
    for (const l of lines.filter((l) => l.action === 'grant.run' && l.seq > revokeSeq)) assert.equal(l.outcome, 'denied');
  });

  it('a statement still running when its grant is revoked returns nothing', async () => {
    const slow = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000000) SELECT count(*) AS n FROM c';
    const grant = await activeGrant(r, { statement: slow });
    const running = r.call('alice', 'POST', `${API}/grants/${grant.id}/run`, {});
    // The revoke goes in once the run has been admitted (its statement is on the engine).
    await new Promise((res) => setTimeout(res, 50));
    const revoked = await r.call('bob', 'POST', `${API}/grants/${grant.id}/revoke`, {});
    assert.equal(revoked.status, 200);
    const run = await running;
    assert.equal(run.status, 409, JSON.stringify(run.body));
    assert.match(run.body.error.message, /revoked while the statement ran/);
    assert.equal(run.body.rows, undefined);
    const lines = r.audit().filter((l) => l.grantId === grant.id);
    const denied = lines.filter((l) => l.action === 'grant.run');
    assert.equal(denied.length, 1);
    assert.equal(denied[0].outcome, 'denied');
    assert.ok(denied[0].seq > lines.find((l) => l.action === 'grant.revoked').seq);
  });

  it('concurrent requests, for different and for the same statement, never mix up grants', async () => {
    const specs = Array.from({ length: 24 }, (_, i) => {
      const user = i % 3 === 2 ? 'olga' : 'alice';
      const project = user === 'olga' ? 'ops' : 'shop';
      const n = i % 4 === 3 ? 999 : i; // every fourth one asks for the same statement
      return { i, user, project, n, statement: `SELECT ${n} AS n, count(*) AS c FROM customers WHERE id > ${n === 999 ? 0 : 0}` };
    });
    const created = await Promise.all(specs.map((s) => request(r, { statement: s.statement, reason: `spec ${s.i}` }, s.user, s.project)));
    const grantIds = new Set(created.map((c) => c.grant.id));
    assert.equal(grantIds.size, specs.length, 'one grant per request');
    created.forEach((c, k) => {
      const s = specs[k];
      assert.equal(c.grant.statement, s.statement);
      assert.equal(c.grant.requester, s.user);
      assert.equal(c.grant.reason, `spec ${s.i}`);
      assert.equal(c.grant.requestId, c.request.id);
      assert.equal(c.request.grantId, c.grant.id);
      assert.equal(c.request.payload.statement, s.statement);
    });
    await Promise.all(created.map((c, k) => approve(r, c.request.id, specs[k].project === 'shop' ? 'bob' : 'oscar')));
    const runs = await Promise.all(created.map((c, k) => r.call(specs[k].user, 'POST', `${API}/grants/${c.grant.id}/run`, {})));
    runs.forEach((run, k) => {
      assert.equal(run.status, 200, JSON.stringify(run.body));
      assert.equal(run.body.rows[0][0], specs[k].n);
    });
    // Nobody can use another's grant.
    const cross = await Promise.all(created.map((c, k) => r.call(specs[k].user === 'alice' ? 'olga' : 'alice', 'POST', `${API}/grants/${c.grant.id}/run`, {})));
    for (const x of cross) assert.equal(x.status, 403);
    for (const c of created) {
      const lines = r.audit().filter((l) => l.action === 'grant.run' && l.grantId === c.grant.id && l.outcome === 'ok');
      assert.equal(lines.length, 1);
      assert.equal(lines[0].statement, c.grant.statement);
    }
  });
});

function bobOrOwner(u: string): boolean {
  return u === 'bob' || u.startsWith('owner');
}
