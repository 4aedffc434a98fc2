// Rules guarded by two mechanisms, tested one mechanism at a time with the other switched
// off, so that removing either one fails a test:
//
// - a grant's (or a role's) authority: checked when the call arrives (usableGrant, the role
//   lookup) and re-checked, in the audit transaction, after the statement ran;
// - read-only: the statement gate refuses writes before any engine sees them, and the SQLite
//   engine's read-only session refuses them again at run time.
//
// Each mechanism is isolated by putting a stand-in in front of the database: a spy engine
// that records whether the statement reached it (and can change the ledger or the clock
// while "running"), a writable engine that executes whatever it gets, or the real engine
// called without the gate.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { seedDemoDatabases } from '../../server/demo/seed.js';
import { EngineError, type Engine, type EngineResult } from '../../server/engines/engine.js';
import { createSqliteEngine } from '../../server/engines/sqlite.js';
import { startHarness, type Harness } from '../support/harness.js';
import { API, callAs, decide, expectDeniedUse, rawAs, requestAccess, requestRole } from './helpers.js';

const HOUR = 3_600_000;
const SELECT = 'SELECT id, product FROM orders ORDER BY id LIMIT 3';

interface Spy {
  /** Statements that reached the engine, in order. */
  calls: string[];
}

/**
 * Puts a spy in front of the demo instance's engine. `during` runs when a statement reaches
 * the engine, before the real engine runs it: it stands for whatever happens while a
 * statement runs.
 */
function spyOnEngine(h: Harness, during: () => Promise<void> = async () => undefined): Spy {
  const engines = h.service.deps.engines;
  const real = engines.get('demo')!;
  const spy: Spy = { calls: [] };
  engines.set('demo', {
    kind: real.kind,
    close: () => real.close(),
    reads: (database, sql, limits, scope) => real.reads(database, sql, limits, scope),
    tables: (database, limits) => real.tables(database, limits),
    async query(database, sql, limits, scope) {
      spy.calls.push(sql);
      await during();
      return real.query(database, sql, limits, scope);
    },
    async open(database, sql, limits, scope) {
      spy.calls.push(sql);
      await during();
      return real.open(database, sql, limits, scope);
    },
  });
  return spy;
}

/** An engine with no read-only protection at all: it "runs" any statement and reports a row. */
function writableEngine(h: Harness): Spy {
  const spy: Spy = { calls: [] };
  const result = (): EngineResult => ({ columns: [{ name: 'changes', type: 'integer', source: null }], rows: [[1]], truncated: false });
  const engine: Engine = {
    kind: 'sqlite',
    close: async () => undefined,
    reads: async () => ({ tables: [] }),
    tables: async () => [],
    async query(_database, sql) {
      spy.calls.push(sql);
      return result();
    },
    async open(_database, sql) {
      spy.calls.push(sql);
      return { columns: result().columns, truncated: false, batches: async function* () { yield result().rows; }, close: async () => undefined };
    },
  };
  h.service.deps.engines.set('demo', engine);
  return spy;
}

/** alice's time-boxed role on demo/sales (owner, then DBA approve). */
async function grantedRole(h: Harness, role: string) {
  const request = await requestRole(h, { role, databases: ['demo/sales'], duration: '1h' });
  await decide(h, 'bob', request.id);
  await decide(h, 'dana', request.id);
}

const lastOf = (h: Harness, action: string) => h.auditLines().filter((l) => l.action === action).at(-1);

describe('layered defences, one layer at a time', () => {
  let h: Harness;
  beforeEach(async () => (h = await startHarness()));
  afterEach(async () => h.close());

  describe('a grant: the request-time check alone (the statement never reaches the engine)', () => {
    it('an expired grant is refused before its statement runs', async () => {
      const { request, grant } = await requestAccess(h, { statement: SELECT, duration: '1h' });
      await decide(h, 'bob', request.id);
      const spy = spyOnEngine(h);
      h.service.scheduler.stop();
      h.clock.advance(HOUR); // exactly at expireTime; the scheduler does not run
      const res = await callAs(h, 'alice', 'POST', `${API}/grants/${grant.id}/run`, {});
      assert.equal(res.status, 409, JSON.stringify(res.body));
      assert.match(res.body.error.message, /expired at .*; request access again/);
      assert.deepEqual(spy.calls, [], 'the statement reached the engine');
      assert.equal((await h.json('admin', 'GET', `${API}/grants/${grant.id}`)).body.state, 'EXPIRED', 'the expiry found at use is recorded');
      const last = lastOf(h, 'grant.run');
      assert.equal(last.outcome, 'denied');
      assert.equal(last.detail.code, 'FAILED_PRECONDITION');
    });

    it('a revoked grant is refused before its statement runs, for a run and for an export', async () => {
      const { request, grant } = await requestAccess(h, { statement: SELECT, export: true });
      await decide(h, 'bob', request.id);
      await decide(h, 'dana', request.id);
      assert.equal((await callAs(h, 'bob', 'POST', `${API}/grants/${grant.id}/revoke`, { reason: 'done' })).status, 200);
      const spy = spyOnEngine(h);
      await expectDeniedUse(h, () => callAs(h, 'alice', 'POST', `${API}/grants/${grant.id}/run`, {}), 409, 'FAILED_PRECONDITION', /revoked; request access again/);
      await expectDeniedUse(h, () => callAs(h, 'alice', 'GET', `${API}/grants/${grant.id}/export?format=csv`), 409, 'FAILED_PRECONDITION', /revoked; request access again/);
      assert.deepEqual(spy.calls, []);
    });

    it('a role that has lapsed is refused before its statement runs', async () => {
      await grantedRole(h, 'sqlEditorUser');
      const spy = spyOnEngine(h);
      await h.advance(HOUR);
      const before = h.auditLines().length;
      const res = await callAs(h, 'alice', 'POST', `${API}/projects/shop/query`, { database: 'demo/sales', statement: SELECT });
      assert.equal(res.status, 403, JSON.stringify(res.body));
      assert.match(res.body.error.message, /needs one of the roles/);
      assert.deepEqual(spy.calls, []);
      const audited = h.auditLines().slice(before).filter((l) => l.action === 'project.query');
      assert.deepEqual(audited.map((l) => l.outcome), ['denied'], 'the attempt is audited as refused, and nothing ran');
    });
  });

  describe('a grant: the run-time re-check alone (the authority lapses after the request-time check passed)', () => {
    it('a grant revoked while its statement runs returns no rows; the audit says why', async () => {
      const { request, grant } = await requestAccess(h, { statement: SELECT });
      await decide(h, 'bob', request.id);
      const spy = spyOnEngine(h, async () => {
        const revoked = await callAs(h, 'bob', 'POST', `${API}/grants/${grant.id}/revoke`, { reason: 'mid-run' });
        assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
      });
      const res = await callAs(h, 'alice', 'POST', `${API}/grants/${grant.id}/run`, {});
      assert.deepEqual(spy.calls, [SELECT], 'the request-time check let the statement through');
      assert.equal(res.status, 409, JSON.stringify(res.body));
      assert.equal(res.body.rows, undefined);
      assert.match(res.body.error.message, new RegExp(`Grant ${grant.id} was revoked while the statement ran`));
      const last = lastOf(h, 'grant.run');
      assert.equal(last.outcome, 'denied');
      assert.match(last.detail.reason, /was revoked while the statement ran/);
    });

    it('a grant that expires while its statement runs returns no rows', async () => {
      const { request, grant } = await requestAccess(h, { statement: SELECT, duration: '1h' });
      await decide(h, 'bob', request.id);
      h.service.scheduler.stop();
      spyOnEngine(h, async () => h.clock.advance(HOUR)); // to exactly expireTime; the scheduler does not run
      const res = await callAs(h, 'alice', 'POST', `${API}/grants/${grant.id}/run`, {});
      assert.equal(res.status, 409, JSON.stringify(res.body));
      assert.equal(res.body.rows, undefined);
      assert.match(res.body.error.message, new RegExp(`Grant ${grant.id} expired at .* while the statement ran`));
      assert.equal(lastOf(h, 'grant.run').outcome, 'denied');
    });

    it('an export whose grant is revoked while its statement starts sends no rows', async () => {
      const { request, grant } = await requestAccess(h, { statement: SELECT, export: true });
      await decide(h, 'bob', request.id);
      await decide(h, 'dana', request.id);
      const spy = spyOnEngine(h, async () => {
        assert.equal((await callAs(h, 'alice', 'POST', `${API}/grants/${grant.id}/revoke`, {})).status, 200);
      });
      const res = await rawAs(h, 'alice', 'GET', `${API}/grants/${grant.id}/export?format=csv`);
      const body = await res.text();
      assert.equal(spy.calls.length, 1);
      assert.equal(res.status, 409, body);
      assert.doesNotMatch(body, /product/);
      const last = lastOf(h, 'grant.export');
      assert.equal(last.outcome, 'denied');
      assert.match(last.detail.reason, /was revoked while the statement ran/);
    });

    it('a role that lapses while its statement runs returns no rows', async () => {
      await grantedRole(h, 'sqlEditorUser');
      h.service.scheduler.stop();
      spyOnEngine(h, async () => h.clock.advance(HOUR)); // the binding's expireTime; the scheduler does not run
      const res = await callAs(h, 'alice', 'POST', `${API}/projects/shop/query`, { database: 'demo/sales', statement: SELECT });
      assert.equal(res.status, 409, JSON.stringify(res.body));
      assert.equal(res.body.rows, undefined);
      assert.match(res.body.error.message, /Your role on demo\/sales lapsed while the statement ran/);
      assert.equal(lastOf(h, 'project.query').outcome, 'denied');
    });

    it('a grant still in force at the re-check returns its rows (the re-check is not a blanket refusal)', async () => {
      const { request, grant } = await requestAccess(h, { statement: SELECT, duration: '1h' });
      await decide(h, 'bob', request.id);
      h.service.scheduler.stop();
      spyOnEngine(h, async () => h.clock.advance(HOUR - 1));
      const res = await callAs(h, 'alice', 'POST', `${API}/grants/${grant.id}/run`, {});
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.rowCount, 3);
      assert.equal(lastOf(h, 'grant.run').outcome, 'ok');
    });
  });

  describe('read-only: the statement gate alone (in front of an engine that would write)', () => {
    const WRITES = ['DELETE FROM orders', 'UPDATE orders SET product = 1', 'WITH d AS (SELECT 1) DELETE FROM orders', 'DROP TABLE orders'];

    it('refuses a write statement in an access request', async () => {
      const spy = writableEngine(h);
      for (const statement of WRITES) {
        const res = await callAs(h, 'alice', 'POST', `${API}/projects/shop/access-requests`, { databases: ['demo/sales'], statement, duration: '1h', reason: 'r' });
        assert.equal(res.status, 400, `${statement}: ${JSON.stringify(res.body)}`);
        assert.equal(res.body.error.details.field, 'statement');
      }
      assert.deepEqual(spy.calls, []);
    });

    it('refuses a write statement in a direct query or export, before it reaches the engine', async () => {
      const spy = writableEngine(h);
      for (const statement of WRITES) {
        const query = await callAs(h, 'bob', 'POST', `${API}/projects/shop/query`, { database: 'demo/sales', statement });
        assert.equal(query.status, 400, `${statement}: ${JSON.stringify(query.body)}`);
      }
      await grantedRole(h, 'projectExporter');
      const exported = await rawAs(h, 'alice', 'POST', `${API}/projects/shop/export`, { database: 'demo/sales', statement: 'DELETE FROM orders', format: 'csv' });
      assert.equal(exported.status, 400, await exported.text());
      assert.deepEqual(spy.calls, [], 'a write statement reached the engine');
    });
  });

  describe('read-only: the SQLite engine alone (no statement gate in front)', () => {
    let dir: string;
    let engine: Engine;
    const limits = { timeoutMs: 10_000, maxRows: 100 };
    const scope = { unmask: true, masking: [] };
    const count = () => {
      const db = new Database(join(dir, 'sales.sqlite'), { readonly: true });
      try {
        return (db.prepare('SELECT count(*) AS n FROM orders').get() as { n: number }).n;
      } finally {
        db.close();
      }
    };
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'jit-layers-'));
      seedDemoDatabases(dir);
      engine = createSqliteEngine({ dir, maxWorkers: 1 });
    });
    after(async () => {
      await engine.close();
      rmSync(dir, { recursive: true, force: true });
    });

    // Statements the gate refuses but that start with a keyword the engine's own guard lets
    // through: only the read-only session stands between them and the data.
    for (const sql of [
      'WITH d AS (SELECT 1) DELETE FROM orders RETURNING id',
      'WITH d AS (SELECT 1) UPDATE orders SET product = \'x\' RETURNING id',
      'WITH d AS (SELECT 1) INSERT INTO orders (id) SELECT max(id) + 1 FROM orders RETURNING id',
    ]) {
      it(`refuses ${sql.slice(26, 45)}… at run time and changes nothing`, async () => {
        const before = count();
        assert.ok(before > 0);
        for (const run of [() => engine.query('sales', sql, limits, scope), () => engine.open('sales', sql, limits, scope)]) {
          await assert.rejects(run(), (err: unknown) => err instanceof EngineError && err.kind === 'read_only');
        }
        assert.equal(count(), before);
      });
    }

    it('the same engine runs a read (the refusal is about writing)', async () => {
      const result = await engine.query('sales', 'WITH d AS (SELECT 1) SELECT count(*) AS n FROM orders', limits, scope);
      assert.deepEqual(result.rows, [[count()]]);
    });
  });
});
