// Reading statements must neither be unbounded nor hold the event loop: a statement over the
// workspace's maxStatementLength is refused before it is read, and long statements are read
// on a worker thread while every other request is served.
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../support/harness.js';
import { loopTurns } from '../support/loop-turns.js';
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

  it('long statements are read off the event loop: it keeps turning while one is read, and requests are answered', async function () {
    this.timeout(120_000);
    const analyzer = h.service.deps.analyzer;
    await analyzer.analyze(longSelect(5_000, 'warm'), 'sqlite', 100_000);
    // Counted in turns of the event loop, not milliseconds: a statement read on this thread
    // would finish before the loop turns once.
    const { value: read, turns } = await loopTurns(() => analyzer.analyze(longSelect(40_000, 'turns'), 'sqlite', 100_000));
    assert.equal(read.compound, false, 'the statement was read');
    assert.ok(turns >= 2, `the event loop turned ${turns} times while a 40,000-character statement was read`);

    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        callAs(h, 'alice', 'POST', `${API}/projects/shop/access-requests`, { databases: ['demo/sales'], statement: longSelect(40_000, `w${i}`), duration: '1h', reason: 'long one' }),
      ),
    );
    assert.deepEqual(answers.map((a) => a.status), [201, 201, 201, 201, 201, 201]);
  });
});
