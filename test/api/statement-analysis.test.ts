// Reading statements must neither be unbounded nor hold the event loop: a statement over the
// workspace's maxStatementLength is refused before it is read, and long statements are read
// on a worker thread while every other request is served.
import assert from 'node:assert/strict';
import { checkStatement } from '../../server/sql/statement-gate.js';
import { startHarness, type Harness } from '../support/harness.js';
import { API, callAs } from './helpers.js';

/** A valid SELECT of about `length` characters; `tag` makes each one new to every cache. */
function longSelect(length: number, tag: string): string {
  const columns: string[] = [];
  for (let i = 0, size = 0; size < length - 40; i++) {
    // A statement the engine accepts too (it resolves every request's statement): constants
    // only, and few enough columns for SQLite's limit of 2000.
    const c = `${i} + ${i} + ${i} + ${i} AS ${tag}_${i}`;
    columns.push(c);
    size += c.length + 2;
  }
  return `SELECT ${columns.join(', ')} FROM (SELECT 1) AS t`;
}

describe('statement analysis', () => {
  let h: Harness;
  beforeEach(async () => (h = await startHarness()));
  afterEach(async () => h.close());

  it('refuses a statement over maxStatementLength before reading it, naming the limit; the limit is a setting', async () => {
    const statement = longSelect(6_000, 'c');
    assert.equal((await callAs(h, 'admin', 'PATCH', `${API}/workspace/settings`, { maxStatementLength: 5_000 })).status, 200);
    const before = (await h.service.deps.ledger.listRequests({})).length;
    const res = await callAs(h, 'alice', 'POST', `${API}/projects/shop/access-requests`, { databases: ['demo/sales'], statement, duration: '1h', reason: 'long one' });
    assert.equal(res.status, 400);
    assert.match(res.body.error.message, new RegExp(`${statement.length} characters long; the limit is 5000 \\(workspace setting maxStatementLength\\)`));
    assert.equal((await h.service.deps.ledger.listRequests({})).length, before);
    assert.equal((await callAs(h, 'admin', 'PATCH', `${API}/workspace/settings`, { maxStatementLength: 10_000 })).status, 200);
    const ok = await callAs(h, 'alice', 'POST', `${API}/projects/shop/access-requests`, { databases: ['demo/sales'], statement, duration: '1h', reason: 'long one' });
    assert.equal(ok.status, 201, JSON.stringify(ok.body).slice(0, 300));
  });

  it('long statements are read off the event loop: requests in between are served without waiting for them', async function () {
    this.timeout(120_000);
    // What one such statement holds the thread that reads it for, measured here and now.
    checkStatement(longSelect(2_000, 'warm'), 'sqlite');
    const started = performance.now();
    checkStatement(longSelect(40_000, 'inline'), 'sqlite');
    const inlineMs = performance.now() - started;

    // Request creation asks the database's engine what the statement reads: its worker
    // processes are started first, as starting a process is no part of reading a statement.
    const engine = h.service.deps.engines.get('demo')!;
    await Promise.all(Array.from({ length: 4 }, () => engine.reads('sales', 'SELECT 1', { timeoutMs: 30_000 }, { unmask: true, masking: [] })));

    let last = performance.now();
    let worstGap = 0;
    const probe = setInterval(() => {
      const now = performance.now();
      worstGap = Math.max(worstGap, now - last);
      last = now;
    }, 5);
    try {
      const answers = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          callAs(h, 'alice', 'POST', `${API}/projects/shop/access-requests`, { databases: ['demo/sales'], statement: longSelect(40_000, `w${i}`), duration: '1h', reason: 'long one' }),
        ),
      );
      assert.deepEqual(answers.map((a) => a.status), [201, 201, 201, 201, 201, 201]);
    } finally {
      clearInterval(probe);
    }
    assert.ok(worstGap < inlineMs / 2, `the event loop stalled for ${worstGap.toFixed(0)} ms; one statement takes ${inlineMs.toFixed(0)} ms to read`);
  });
});
