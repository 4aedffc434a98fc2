// One behaviour suite, run over every engine against a real server: results, limits,
// errors, and the bypass list of issue 4 at run time (as if the request-time gate had let
// each statement through), with the data checked afterwards through an admin connection.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { EngineError, type Engine, type EngineResult } from '../../server/engines/engine.js';
import { TARGETS, type EngineTarget } from './targets.js';
import { NO_MASKING } from '../support/run-scope.js';

const LIMITS = { timeoutMs: 20_000, maxRows: 10_000 };
const SECRETS = ['reader-pw', 'admin-pw', 'alice@example.com'];

async function failure(work: Promise<unknown>): Promise<EngineError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof EngineError, `expected an EngineError, got ${error === undefined ? 'a result' : String(error)}`);
  for (const secret of SECRETS) assert.ok(!error.message.includes(secret), `error message reveals "${secret}": ${error.message}`);
  return error;
}

/** Polls a condition that has no event to wait on (a server's view of its sessions). */
async function eventually(check: () => Promise<boolean>, what: string, withinMs = 15_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`not within ${withinMs}ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const column = (result: EngineResult, name: string) => result.columns.find((c) => c.name === name);

for (const { name, create, sessionProbe } of TARGETS) {
  describe(`engine: ${name}`, function () {
    let t: EngineTarget;
    let initial: unknown;

    before(async function () {
      t = create();
      initial = await t.snapshot();
    });
    after(async () => t?.close());

    describe('results', () => {
      it('returns columns with types and lineage, and JSON-safe values', async () => {
        const r = await t.reader.query(t.database, 'SELECT id, name, price, qty, created, data FROM items ORDER BY id', LIMITS, NO_MASKING);
        assert.deepEqual(r.columns.map((c) => c.name), ['id', 'name', 'price', 'qty', 'created', 'data']);
        for (const c of r.columns) {
          assert.deepEqual({ table: c.source?.table, column: c.source?.column }, { table: 'items', column: c.name });
          assert.notEqual(c.type, '', `type of ${c.name}`);
        }
        assert.equal(r.truncated, false);
        assert.deepEqual(JSON.parse(JSON.stringify(r.rows)), r.rows);
        const [id, label, price, qty, created, data] = r.rows[0];
        assert.deepEqual([id, label, Number(price), qty, data], [1, 'apple', 1.5, '9007199254740993', 'AP8Q']);
        assert.match(String(created), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
        assert.equal(new Date(String(created)).toISOString(), '2024-01-02T03:04:05.000Z');
        assert.deepEqual(r.rows.map((row) => row[5]), ['AP8Q', null, null]);
      });

      it('traces aliases, joins and subqueries to their table column, and marks expressions unknown', async () => {
        const r = await t.reader.query(
          t.database,
          `SELECT i.name AS label, e.email, i.id + 1 AS next, upper(e.name) AS shout, s.x
             FROM items i JOIN employees e ON e.id = i.id JOIN (SELECT id, email AS x FROM employees) s ON s.id = e.id`,
          LIMITS, NO_MASKING,
        );
        assert.equal(r.rows.length, 2);
        const source = (n: string) => {
          const s = column(r, n)?.source;
          return s ? { table: s.table, column: s.column } : null;
        };
        assert.deepEqual(source('label'), { table: 'items', column: 'name' });
        assert.deepEqual(source('email'), { table: 'employees', column: 'email' });
        assert.equal(source('next'), null);
        assert.equal(source('shout'), null);
        assert.deepEqual(source('x'), t.subqueryLineage);
      });

      it('cuts the result at maxRows and says it was truncated', async () => {
        const cut = await t.reader.query(t.database, t.series(2500), { ...LIMITS, maxRows: 1200 }, NO_MASKING);
        assert.equal(cut.rows.length, 1200);
        assert.equal(cut.truncated, true);
        assert.deepEqual(cut.rows.map((row) => Number(row[0])), Array.from({ length: 1200 }, (_, i) => i + 1));
        const exact = await t.reader.query(t.database, t.series(1200), { ...LIMITS, maxRows: 1200 }, NO_MASKING);
        assert.equal(exact.rows.length, 1200);
        assert.equal(exact.truncated, false);
      });

      it('streams rows in batches through open()', async () => {
        const cursor = await t.reader.open(t.database, t.series(2500), LIMITS, NO_MASKING);
        const sizes: number[] = [];
        for await (const batch of cursor.batches()) sizes.push(batch.length);
        await cursor.close();
        assert.equal(sizes.reduce((a, b) => a + b, 0), 2500);
        assert.ok(sizes.length > 1, `one batch of ${sizes[0]}`);
        assert.equal(cursor.truncated, false);
      });

      it('stops the statement when a cursor is closed early, and stays usable', async () => {
        const marker = `close_${randomUUID().slice(0, 8)}`;
        const cursor = await t.reader.open(t.database, `${t.series(200_000)} /* ${marker} */`, LIMITS, NO_MASKING);
        const first = await cursor.batches()[Symbol.asyncIterator]().next();
        assert.equal(first.done, false);
        await cursor.close();
        if (t.running) await eventually(async () => (await t.running!(marker)) === 0, 'the statement ended on the server');
        assert.deepEqual((await t.reader.query(t.database, 'SELECT 1 AS one', LIMITS, NO_MASKING)).rows, [[1]]);
      });
    });

    describe('limits and errors', () => {
      it('times out a long statement, stops it on the server, and stays usable', async () => {
        const marker = `timeout_${randomUUID().slice(0, 8)}`;
        const started = Date.now();
        const error = await failure(t.reader.query(t.database, t.slow(marker), { ...LIMITS, timeoutMs: 500 }, NO_MASKING));
        assert.equal(error.kind, 'timeout');
        assert.match(error.message, /500ms/);
        assert.ok(Date.now() - started < 10_000, 'the timeout took far longer than its limit');
        if (t.running) await eventually(async () => (await t.running!(marker)) === 0, 'the statement ended on the server');
        assert.deepEqual((await t.reader.query(t.database, 'SELECT 1 AS one', LIMITS, NO_MASKING)).rows, [[1]]);
      });

      it('aborts a running statement when the caller goes away', async () => {
        const marker = `abort_${randomUUID().slice(0, 8)}`;
        const controller = new AbortController();
        const run = failure(t.reader.query(t.database, t.slow(marker), { ...LIMITS, signal: controller.signal }, NO_MASKING));
        if (t.running) await eventually(async () => (await t.running!(marker)) === 1, 'the statement started');
        controller.abort();
        assert.equal((await run).kind, 'aborted');
        if (t.running) await eventually(async () => (await t.running!(marker)) === 0, 'the statement ended on the server');
        assert.deepEqual((await t.reader.query(t.database, 'SELECT 1 AS one', LIMITS, NO_MASKING)).rows, [[1]]);
      });

      it('reports an unknown database as not found, and refuses names that are not plain', async () => {
        for (const database of ['no_such_db', '../shop', 'shop/../../etc', '']) {
          const error = await failure(t.reader.query(database, 'SELECT 1', LIMITS, NO_MASKING));
          assert.equal(error.kind, 'not_found', database);
        }
      });

      it('reports a statement the engine refuses as invalid', async () => {
        assert.equal((await failure(t.reader.query(t.database, 'SELECT nope FROM items', LIMITS, NO_MASKING))).kind, 'invalid');
        assert.equal((await failure(t.reader.query(t.database, 'SELECT FROM WHERE', LIMITS, NO_MASKING))).kind, 'invalid');
      });
    });

    describe('bypass attempts change nothing', () => {
      const engines: [string, (t: EngineTarget) => Engine][] = [
        ['read-only credentials', (x) => x.reader],
        ['credentials that can write', (x) => x.owner],
      ];
      for (const [credentials, engineOf] of engines) {
        describe(credentials, () => {
          it('runs every bypass attempt without a change to the data', async () => {
            for (const b of t.bypasses) {
              for (const database of t.escapeDatabases) {
                const attempt = engineOf(t).query(database, b.sql, { ...LIMITS, timeoutMs: 5_000 }, NO_MASKING);
                if (b.outcome === 'refused') await failure(attempt);
                else await attempt.catch((e: unknown) => assert.ok(e instanceof EngineError, String(e)));
                assert.deepEqual(await t.snapshot(), initial, `${b.title} (${database}) changed something`);
              }
            }
          });
        });
      }

      if (sessionProbe) {
        it('lets nothing a statement sets outlive it in the session', async () => {
          await t.reader.query(t.database, sessionProbe.set, LIMITS, NO_MASKING);
          const after = await t.reader.query(t.database, sessionProbe.get, LIMITS, NO_MASKING);
          assert.equal(after.rows.length, 1);
          assert.notEqual(after.rows[0][0], 'leak');
        });
      }
    });
  });
}
