// Read-only on PostgreSQL and MariaDB, one layer at a time (issue 15). Two mechanisms keep a
// run from writing once a statement is past the engine's own checks (first keyword, function
// allowlist, and on MariaDB the prepare that shows a statement returns rows): the read-only
// transaction the run opens, and the privileges of the account it runs as. Each is tested with
// the other switched off — the read-only transaction on an account that may write, the
// least-privilege accounts with the transaction opened read-write — so that removing either
// one fails a test. The attacks are ones every other check lets through:
// - MariaDB: `SELECT NEXT VALUE FOR seq` starts with SELECT, calls no function and returns a
//   row; a sequence is not transactional, so the rollback that ends every run does not undo it;
// - PostgreSQL: a data-modifying CTE starts with WITH and calls no function.
// Each layer's test is paired with the same statement run with that layer off, to show that
// nothing else in the engine would have stopped it.
import assert from 'node:assert/strict';
import mysql from 'mysql2';
import mysqlPromise from 'mysql2/promise';
import pg from 'pg';
import { EngineError, type Engine, type RunScope } from '../../server/engines/engine.js';
import { createMysqlEngine } from '../../server/engines/mysql.js';
import { createPostgresEngine } from '../../server/engines/postgres.js';

const LIMITS = { timeoutMs: 10_000, maxRows: 100 };
const UNMASKED: RunScope = { unmask: true, masking: [] };
const MASKED: RunScope = { unmask: false, masking: [] };
const DB = 'layers';
const secrets = { password: (instance: string, identity: string) => `layers-${instance}-${identity}-pw` };

const need = (name: string): string => process.env[name] ?? assert.fail(`${name} is not set: run through test/setup/db-servers.sh`);

/**
 * Runs `work` while the driver sends every statement through `rewrite` (installed on the
 * driver's connection class, so it reaches the engine's pooled sessions). Fails if nothing was
 * rewritten: the engine then opens its session differently, and the test would prove nothing.
 */
async function rewritingSessions(connectionClass: { prototype: object }, rewrite: (sql: string) => string, work: () => Promise<void>): Promise<void> {
  const proto = connectionClass.prototype as { query: (sql: unknown, ...rest: unknown[]) => unknown };
  const query = proto.query;
  let rewritten = 0;
  proto.query = function (this: unknown, sql: unknown, ...rest: unknown[]) {
    const sent = typeof sql === 'string' ? rewrite(sql) : sql;
    if (sent !== sql) rewritten++;
    return query.call(this, sent, ...rest);
  };
  try {
    await work();
  } finally {
    proto.query = query;
  }
  assert.ok(rewritten > 0, 'no run opened a read-only transaction to switch off');
}

async function refusal(run: Promise<unknown>): Promise<EngineError> {
  const error = await run.then(
    (result) => assert.fail(`the statement ran: ${JSON.stringify(result)}`),
    (e: unknown) => e,
  );
  assert.ok(error instanceof EngineError, `not an EngineError: ${String(error)}`);
  return error;
}

describe('read-only, one layer at a time: MariaDB', function () {
  const NEXT_TICKET = `SELECT NEXT VALUE FOR ${DB}.tickets AS ticket`;
  const readWrite = (work: () => Promise<void>) =>
    rewritingSessions(mysql.Connection, (sql) => (sql === 'START TRANSACTION READ ONLY' ? 'START TRANSACTION' : sql), work);
  let admin: mysqlPromise.Pool;
  let owner: Engine;
  let reader: Engine;
  let identities: Engine;
  /** The number the sequence hands out next (NOCACHE: each NEXT VALUE moves it by one). */
  const nextTicket = async () => Number(((await admin.query(`SELECT next_not_cached_value AS n FROM ${DB}.tickets`))[0] as { n: unknown }[])[0].n);

  before(async () => {
    admin = mysqlPromise.createPool({ uri: need('JIT_TEST_MYSQL_ADMIN_URL'), connectionLimit: 1 });
    await admin.query(`CREATE DATABASE ${DB}`);
    await admin.query(`CREATE TABLE ${DB}.items (id int PRIMARY KEY) ENGINE = InnoDB`);
    await admin.query(`CREATE SEQUENCE ${DB}.tickets NOCACHE`);
    await admin.query(`GRANT SELECT ON ${DB}.* TO 'jit_reader'@'127.0.0.1'`);
    owner = createMysqlEngine({ url: need('JIT_TEST_MYSQL_ADMIN_URL'), maxConnections: 1 });
    reader = createMysqlEngine({ url: need('JIT_TEST_MYSQL_URL'), maxConnections: 1 });
    identities = createMysqlEngine({ url: need('JIT_TEST_MYSQL_SERVICE_URL'), instanceId: DB, secrets, maxConnections: 1 });
  });
  after(async () => {
    await Promise.all([owner?.close(), reader?.close(), identities?.close()]);
    await admin?.query(`DROP DATABASE IF EXISTS ${DB}`);
    await admin?.end();
  });

  it('the read-only transaction alone: an account that may write is refused, and the sequence stays where it was', async () => {
    const before = await nextTicket();
    const error = await refusal(owner.query(DB, NEXT_TICKET, LIMITS, UNMASKED));
    assert.equal(error.kind, 'read_only');
    assert.match(error.message, /read-only transaction/);
    assert.equal(await nextTicket(), before);
  });

  it('without it, nothing else in the engine stops that account: the sequence moves, and the rollback does not undo it', async () => {
    const before = await nextTicket();
    await readWrite(async () => {
      const result = await owner.query(DB, NEXT_TICKET, LIMITS, UNMASKED);
      assert.deepEqual(result.rows.map((r) => Number(r[0])), [before]);
    });
    assert.equal(await nextTicket(), before + 1);
  });

  for (const [who, engine, scope] of [
    ['a read-only account', () => reader, UNMASKED],
    ["the database's unmask identity", () => identities, UNMASKED],
    ["the database's masked identity", () => identities, MASKED],
  ] as const) {
    it(`the privileges alone: ${who}, in a read-write transaction, is refused, and the sequence stays where it was`, async () => {
      const before = await nextTicket();
      await readWrite(async () => {
        const error = await refusal(engine().query(DB, NEXT_TICKET, LIMITS, scope));
        assert.doesNotMatch(error.message, /read-only/, 'refused by the read-only transaction, which is switched off');
      });
      assert.equal(await nextTicket(), before);
    });
  }
});

describe('read-only, one layer at a time: PostgreSQL', function () {
  const DELETE_ALL = 'WITH gone AS (DELETE FROM items RETURNING id) SELECT id FROM gone ORDER BY id';
  const readWrite = (work: () => Promise<void>) =>
    rewritingSessions(pg.Client, (sql) => (sql.startsWith('BEGIN READ ONLY;') ? sql.replace('BEGIN READ ONLY;', 'BEGIN;').replace('default_transaction_read_only = on', 'default_transaction_read_only = off') : sql), work);
  let admin: pg.Pool;
  let data: pg.Pool;
  let owner: Engine;
  let reader: Engine;
  let identities: Engine;
  const ids = async () => (await data.query<{ id: number }>('SELECT id FROM items ORDER BY id')).rows.map((r) => r.id);

  before(async () => {
    admin = new pg.Pool({ connectionString: `${need('JIT_TEST_PG_ADMIN_URL')}/postgres`, max: 1 });
    await admin.query(`CREATE DATABASE ${DB} OWNER jit_owner`);
    data = new pg.Pool({ connectionString: `${need('JIT_TEST_PG_OWNER_URL')}/${DB}`, max: 1 });
    await data.query('CREATE TABLE items (id integer PRIMARY KEY); INSERT INTO items VALUES (1), (2), (3); GRANT SELECT ON items TO jit_reader');
    owner = createPostgresEngine({ url: need('JIT_TEST_PG_OWNER_URL'), maxConnections: 1 });
    reader = createPostgresEngine({ url: need('JIT_TEST_PG_URL'), maxConnections: 1 });
    identities = createPostgresEngine({ url: need('JIT_TEST_PG_OWNER_URL'), instanceId: DB, secrets, maxConnections: 1 });
  });
  after(async () => {
    await Promise.all([owner?.close(), reader?.close(), identities?.close(), data?.end()]);
    // The database stays (db-servers.sh removes the whole server): dropping it WITH (FORCE)
    // raced with the engines' last connections, which then failed uncaught.
    await admin?.end();
  });

  it("the read-only transaction alone: the table's owner is refused, and every row is still there", async () => {
    const error = await refusal(owner.query(DB, DELETE_ALL, LIMITS, UNMASKED));
    assert.equal(error.kind, 'read_only');
    assert.match(error.message, /read-only transaction/);
    assert.deepEqual(await ids(), [1, 2, 3]);
  });

  it("without it, nothing else in the engine stops the owner: the DELETE runs (only the run's rollback restores the rows)", async () => {
    await readWrite(async () => {
      const result = await owner.query(DB, DELETE_ALL, LIMITS, UNMASKED);
      assert.deepEqual(result.rows, [[1], [2], [3]]);
    });
    assert.deepEqual(await ids(), [1, 2, 3]);
  });

  for (const [who, engine, scope] of [
    ['a read-only account', () => reader, UNMASKED],
    ["the database's unmask identity", () => identities, UNMASKED],
    ["the database's masked identity", () => identities, MASKED],
  ] as const) {
    it(`the privileges alone: ${who}, in a read-write transaction, is refused`, async () => {
      await readWrite(async () => {
        const error = await refusal(engine().query(DB, DELETE_ALL, LIMITS, scope));
        assert.doesNotMatch(error.message, /read-only/, 'refused by the read-only transaction, which is switched off');
      });
      assert.deepEqual(await ids(), [1, 2, 3]);
    });
  }
});
