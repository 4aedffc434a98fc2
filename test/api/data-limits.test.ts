// What bounds a run or an export once it has started: the grant's authority, checked again
// while an export streams; the result's size in bytes; and refusals of direct access, which
// are audited like refused grant runs.
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../support/harness.js';
import { API, callAs, decide, rawAs, requestAccess, requestRole } from './helpers.js';

const HOUR = 3_600_000;
const ROWS = 200_000;
const MANY_ROWS = `WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < ${ROWS}) SELECT n, 'row ' || n AS label FROM c`;

async function exportGrant(h: Harness) {
  const { request, grant } = await requestAccess(h, { statement: MANY_ROWS, export: true });
  await decide(h, 'bob', request.id);
  await decide(h, 'dana', request.id);
  return grant.id as string;
}

/** Reads the export's first chunk, calls `meanwhile`, then reads on until the stream ends or fails. */
async function readAround(res: Response, meanwhile: () => Promise<void>) {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = (await reader.read()).value ?? '';
  await meanwhile();
  try {
    for (let next = await reader.read(); !next.done; next = await reader.read()) text += next.value;
    return { text, error: undefined };
  } catch (error) {
    return { text, error: error as Error };
  }
}

describe('data limits', () => {
  let h: Harness;
  beforeEach(async () => (h = await startHarness()));
  afterEach(async () => h.close());

  for (const [how, lapse] of [
    ['is revoked', (h: Harness, grant: string) => callAs(h, 'bob', 'POST', `${API}/grants/${grant}/revoke`, { reason: 'wrong person' }).then((r) => assert.equal(r.status, 200))],
    ['expires', (h: Harness) => h.advance(2 * HOUR)],
  ] as const) {
    it(`an export stops when its grant ${how} mid-stream, and the audit records the cut`, async () => {
      const grant = await exportGrant(h);
      const res = await rawAs(h, 'alice', 'GET', `${API}/grants/${grant}/export?format=csv`);
      assert.equal(res.status, 200);
      const { text, error } = await readAround(res, () => lapse(h, grant));
      assert.ok(error, 'the stream ends with an error');
      assert.match(error.message, new RegExp(`The export was stopped after \\d+ rows: Grant ${grant} (was revoked|was expired|expired at)`));
      const lines = text.split('\r\n').length;
      assert.ok(lines < ROWS / 2, `only what was read before the cut arrived (${lines} lines)`);
      const finished = h.auditLines().filter((l) => l.action === 'grant.export.finished' && l.grantId === grant);
      assert.equal(finished.length, 1);
      assert.equal(finished[0].outcome, 'error');
      assert.match(finished[0].detail.stoppedBecause, new RegExp(`Grant ${grant}`));
      assert.ok(finished[0].rowCount < ROWS / 2);
    });
  }

  it('a run is cut at maxResultBytes as well as at maxResultRows, and says so', async () => {
    assert.equal((await callAs(h, 'admin', 'PATCH', `${API}/workspace/settings`, { maxResultBytes: 64 * 1024, maxResultRows: 100_000 })).status, 200);
    const { request, grant } = await requestAccess(h, { statement: MANY_ROWS });
    await decide(h, 'bob', request.id);
    const res = await callAs(h, 'alice', 'POST', `${API}/grants/${grant.id}/run`, {});
    assert.equal(res.status, 200, JSON.stringify(res.body).slice(0, 300));
    assert.equal(res.body.truncated, true);
    assert.ok(res.body.rowCount > 1000 && res.body.rowCount < 10_000, `${res.body.rowCount} rows`);
    assert.ok(JSON.stringify(res.body.rows).length <= 64 * 1024);
    const run = h.auditLines().filter((l) => l.action === 'grant.run').at(-1);
    assert.equal(run.detail.truncatedBy, 'bytes');
  });

  it('a refused direct query is audited: no role on the database, and a statement the gate refuses', async () => {
    const denied = await callAs(h, 'alice', 'POST', `${API}/projects/shop/query`, { database: 'demo/hr', statement: 'SELECT name FROM employees' });
    assert.equal(denied.status, 403);
    let last = h.auditLines().at(-1);
    assert.deepEqual([last.action, last.outcome, last.database, last.detail.code], ['project.query', 'denied', 'demo/hr', 'PERMISSION_DENIED']);

    const role = await requestRole(h, { role: 'sqlEditorUser', databases: ['demo/sales'] });
    await decide(h, 'bob', role.id);
    await decide(h, 'dana', role.id);
    const write = await callAs(h, 'alice', 'POST', `${API}/projects/shop/query`, { database: 'demo/sales', statement: 'DELETE FROM orders' });
    assert.equal(write.status, 400);
    last = h.auditLines().at(-1);
    assert.deepEqual([last.action, last.outcome, last.statement, last.detail.code], ['project.query', 'denied', 'DELETE FROM orders', 'INVALID_ARGUMENT']);
  });

  it('one user cannot starve the others: statements over their share get 429 with Retry-After, and another user\'s query runs', async function () {
    this.timeout(60_000);
    assert.equal((await callAs(h, 'admin', 'PATCH', `${API}/workspace/settings`, { queryTimeout: '10s', maxRunningPerUser: 1 })).status, 200);
    const role = await requestRole(h, { role: 'sqlEditorUser', databases: ['demo/sales'] });
    await decide(h, 'bob', role.id);
    await decide(h, 'dana', role.id);
    const count = () => callAs(h, 'bob', 'POST', `${API}/projects/shop/query`, { database: 'demo/sales', statement: 'SELECT count(*) AS n FROM orders' });
    assert.equal((await count()).status, 200);
    const endless = 'WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c) SELECT count(*) AS n FROM c';
    const flood = Array.from({ length: 8 }, () => rawAs(h, 'alice', 'POST', `${API}/projects/shop/query`, { database: 'demo/sales', statement: endless }));
    const refused = (await Promise.all(flood.map((f) => Promise.race([f, new Promise<null>((r) => setTimeout(() => r(null), 1500))])))).filter((r): r is Response => r !== null);
    assert.equal(refused.length, 7, 'all but the user\'s share are refused at once');
    for (const r of refused) {
      assert.equal(r.status, 429);
      assert.equal(r.headers.get('retry-after'), '2');
      assert.match((await r.json()).error.message, /limit per user is 1/);
    }
    const other = await count();
    assert.equal(other.status, 200, JSON.stringify(other.body));
    const ended = await Promise.all(flood);
    assert.equal(ended.filter((r) => r.status === 504).length, 1, 'the admitted statement ran to its time limit');
  });

  it('a refused direct export is audited', async () => {
    const res = await rawAs(h, 'alice', 'POST', `${API}/projects/shop/export`, { database: 'demo/hr', statement: 'SELECT name FROM employees', format: 'csv' });
    assert.equal(res.status, 403);
    const last = h.auditLines().at(-1);
    assert.deepEqual([last.action, last.outcome, last.detail.code], ['project.export', 'denied', 'PERMISSION_DENIED']);
  });
});
