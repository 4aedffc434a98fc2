// The three engines under test, each with an engine on least-privileged credentials, one on
// credentials that can write, and an admin connection (plain driver) to check the data after
// every attempt. PostgreSQL and MariaDB come from test/setup/db-servers.sh (environment).
import Database from 'better-sqlite3';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { Engine, ServerEngineOptions } from '../../server/engines/engine.js';
import { createMysqlEngine } from '../../server/engines/mysql.js';
import { createPostgresEngine } from '../../server/engines/postgres.js';
import { createSqliteEngine } from '../../server/engines/sqlite.js';

export interface Bypass {
  title: string;
  sql: string;
  /** "refused": must fail; "harmless": may run, but must change nothing. */
  outcome: 'refused' | 'harmless';
}

export interface EngineTarget {
  name: string;
  database: string;
  /** Engine on credentials that may only read. */
  reader: Engine;
  /** Engine on credentials that could write (owner / superuser). */
  owner: Engine;
  /** Everything an attempt could have changed, read through the admin connection. */
  snapshot(): Promise<unknown>;
  /** Rows n = 1..count, one integer column "n". */
  series(count: number): string;
  /** Runs much longer than any limit a test sets; `marker` is a comment inside it. */
  slow(marker: string): string;
  /** Running statements containing `marker`; undefined where the engine cannot tell. */
  running?(marker: string): Promise<number>;
  /** What the engine reports as the origin of a column of a subquery in FROM. */
  subqueryLineage: { table: string; column: string } | null;
  /** Databases with backslash string escapes off and on. */
  escapeDatabases: string[];
  bypasses: Bypass[];
  close(): Promise<void>;
}

/** Sets 'leak' in the session, and reads it back in the next statement (one connection). */
export interface SessionProbe {
  set: string;
  get: string;
}

const COMMON_BYPASSES: Bypass[] = [
  { title: 'DELETE', sql: 'DELETE FROM items', outcome: 'refused' },
  { title: 'UPDATE', sql: "UPDATE items SET name = 'x'", outcome: 'refused' },
  { title: 'DROP TABLE', sql: 'DROP TABLE items', outcome: 'refused' },
  { title: 'CREATE TABLE', sql: 'CREATE TABLE stolen (id int)', outcome: 'refused' },
  { title: 'data-modifying CTE', sql: 'WITH d AS (DELETE FROM items RETURNING *) SELECT * FROM d', outcome: 'refused' },
  { title: 'SELECT … INTO a new table', sql: 'SELECT * INTO stolen FROM items', outcome: 'refused' },
  { title: 'SELECT … FOR UPDATE', sql: 'SELECT * FROM items FOR UPDATE', outcome: 'harmless' },
  { title: 'stacked statements', sql: 'SELECT 1; DELETE FROM items', outcome: 'refused' },
  { title: 'stacked statements after a comment', sql: 'SELECT 1 /* x */; UPDATE items SET qty = 0; --', outcome: 'refused' },
  { title: 'transaction control', sql: 'COMMIT', outcome: 'refused' },
  { title: 'string with a backslash-quote hiding a DELETE', sql: "SELECT 'a\\'; DELETE FROM items; --'", outcome: 'harmless' },
];

/** The rows of both seeded tables, read through an admin connection. */
async function tableData(rows: (sql: string) => Promise<unknown[][]>) {
  return { items: await rows('SELECT * FROM items ORDER BY id'), employees: await rows('SELECT * FROM employees ORDER BY id') };
}

// One connection per engine: whatever a statement left behind in its session would show in
// the next one.
function enginePair(create: (options: ServerEngineOptions) => Engine, readerUrl: string, ownerUrl: string) {
  return { reader: create({ url: readerUrl, maxConnections: 1 }), owner: create({ url: ownerUrl, maxConnections: 1 }) };
}

const need = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the engine tests through test/setup/db-servers.sh`);
  return value;
};

function sqliteTarget(): EngineTarget {
  const dir = mkdtempSync(join(tmpdir(), 'jit-sqlite-'));
  const admin = new Database(join(dir, 'shop.sqlite'));
  admin.exec(`
    CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price NUMERIC, qty BIGINT, created TIMESTAMP, data BLOB);
    INSERT INTO items VALUES (1, 'apple', 1.50, 9007199254740993, '2024-01-02 03:04:05', x'00ff10'),
      (2, 'pear', 2.25, 2, '2024-02-03 04:05:06.5', NULL), (3, 'plum', 0.10, 3, NULL, NULL);
    CREATE TABLE employees (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT);
    INSERT INTO employees VALUES (1, 'Alice', 'alice@example.com'), (2, 'Bob', 'bob@example.com');`);
  const engine = createSqliteEngine({ dir });
  return {
    name: 'sqlite',
    database: 'shop',
    reader: engine,
    owner: engine,
    async snapshot() {
      return {
        ...(await tableData(async (sql) => admin.prepare(sql).raw().all() as unknown[][])),
        schema: admin.prepare('SELECT type, name FROM sqlite_master ORDER BY name').raw().all(),
        userVersion: admin.pragma('user_version', { simple: true }),
        files: readdirSync(dir).sort(),
      };
    },
    series: (count) => `WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ${count}) SELECT n FROM s`,
    slow: (marker) => `WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r) SELECT count(*) /* ${marker} */ FROM r`,
    subqueryLineage: { table: 'employees', column: 'email' },
    escapeDatabases: ['shop'],
    bypasses: [
      ...COMMON_BYPASSES,
      { title: 'ATTACH', sql: `ATTACH DATABASE '${join(dir, 'evil.sqlite')}' AS evil`, outcome: 'refused' },
      { title: 'PRAGMA write', sql: 'PRAGMA user_version = 7', outcome: 'refused' },
      { title: 'PRAGMA query_only off', sql: 'PRAGMA query_only = OFF', outcome: 'refused' },
      { title: 'load_extension', sql: "SELECT load_extension('/nonexistent/evil')", outcome: 'refused' },
      { title: 'VACUUM INTO', sql: `VACUUM INTO '${join(dir, 'copy.sqlite')}'`, outcome: 'refused' },
      { title: 'temporary table', sql: 'CREATE TEMP TABLE t AS SELECT * FROM items', outcome: 'refused' },
      { title: 'REPLACE', sql: "REPLACE INTO items (id, name) VALUES (1, 'x')", outcome: 'refused' },
    ],
    async close() {
      await engine.close();
      admin.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function postgresTarget(): EngineTarget {
  const readerUrl = need('JIT_TEST_PG_URL');
  const adminUrl = need('JIT_TEST_PG_ADMIN_URL');
  const admin = new pg.Pool({ connectionString: `${adminUrl}/shop`, max: 2 });
  const rows = async (sql: string) => (await admin.query({ text: sql, rowMode: 'array' })).rows;
  const { hostname, port } = new URL(adminUrl);
  const dblinkTarget = `host=${hostname} port=${port} dbname=shop user=jit_admin password=admin-pw`;
  const { reader, owner } = enginePair(createPostgresEngine, readerUrl, adminUrl);
  return {
    name: 'postgres',
    database: 'shop',
    reader,
    owner,
    async snapshot() {
      return {
        ...(await tableData(rows)),
        tables: await rows("SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2"),
        counter: await rows('SELECT last_value, is_called FROM counter'),
        largeObjects: await rows('SELECT count(*) FROM pg_largeobject_metadata'),
        advisoryLocks: await rows("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"),
      };
    },
    series: (count) => `SELECT n::int AS n FROM generate_series(1, ${count}) AS n`,
    slow: (marker) => `SELECT pg_sleep(60) /* ${marker} */`,
    running: async (marker) =>
      Number(
        (await rows(`SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid() AND query LIKE '%${marker}%'`))[0][0],
      ),
    subqueryLineage: { table: 'employees', column: 'email' },
    escapeDatabases: ['shop', 'shop_legacy'],
    bypasses: [
      ...COMMON_BYPASSES,
      { title: 'nextval', sql: "SELECT nextval('counter')", outcome: 'refused' },
      { title: 'setval', sql: "SELECT setval('counter', 42)", outcome: 'refused' },
      { title: 'pg_terminate_backend', sql: "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'jit_admin'", outcome: 'refused' },
      { title: 'pg_terminate_backend, schema-qualified and quoted', sql: 'SELECT pg_catalog."pg_terminate_backend"(pid) FROM pg_stat_activity', outcome: 'refused' },
      { title: 'Unicode-escaped function name', sql: 'SELECT U&"\\0070g_terminate_backend"(pid) FROM pg_stat_activity', outcome: 'refused' },
      { title: 'lo_import', sql: "SELECT lo_import('/etc/hostname')", outcome: 'refused' },
      { title: 'pg_read_file', sql: "SELECT pg_read_file('/etc/hostname')", outcome: 'refused' },
      { title: 'dblink to a writable session', sql: `SELECT * FROM dblink('${dblinkTarget}', 'DELETE FROM items RETURNING id') AS t(id int)`, outcome: 'refused' },
      { title: 'dblink_exec', sql: `SELECT dblink_exec('${dblinkTarget}', 'DELETE FROM items')`, outcome: 'refused' },
      { title: 'query_to_xml running a DELETE', sql: "SELECT query_to_xml('DELETE FROM items RETURNING id', true, false, '')", outcome: 'refused' },
      { title: 'session advisory lock', sql: 'SELECT pg_advisory_lock(42)', outcome: 'refused' },
      { title: 'set_config leaving read-only', sql: "SELECT set_config('transaction_read_only', 'off', true)", outcome: 'refused' },
      { title: 'set_config of the session default', sql: "SELECT set_config('default_transaction_read_only', 'off', false)", outcome: 'harmless' },
      { title: 'SET', sql: 'SET default_transaction_read_only = off', outcome: 'refused' },
      { title: 'COPY to a file', sql: "COPY items TO '/tmp/jit-stolen.csv'", outcome: 'refused' },
    ],
    async close() {
      await Promise.all([reader.close(), owner.close(), admin.end()]);
    },
  };
}

function mysqlTarget(): EngineTarget {
  const readerUrl = need('JIT_TEST_MYSQL_URL');
  const adminUrl = need('JIT_TEST_MYSQL_ADMIN_URL');
  const files = need('JIT_TEST_MYSQL_FILES_DIR');
  const admin = mysql.createPool({ uri: `${adminUrl}/shop`, connectionLimit: 2, supportBigNumbers: true, bigNumberStrings: true, dateStrings: true });
  const rows = async (sql: string) => (await admin.query({ sql, rowsAsArray: true }))[0] as unknown[][];
  const { reader, owner } = enginePair(createMysqlEngine, readerUrl, adminUrl);
  return {
    name: 'mysql',
    database: 'shop',
    reader,
    owner,
    async snapshot() {
      return {
        ...(await tableData(rows)),
        tables: await rows("SELECT table_name FROM information_schema.tables WHERE table_schema = 'shop' ORDER BY 1"),
        files: readdirSync(files).sort(),
        locks: await rows("SELECT IS_USED_LOCK('jit')"),
      };
    },
    // MariaDB's sequence tables; a recursive CTE stops at max_recursive_iterations (1000).
    series: (count) => `SELECT seq AS n FROM seq_1_to_${count}`,
    // SLEEP is not on the engine's function allowlist: an unindexed join of two large sequences.
    slow: (marker) => `SELECT /* ${marker} */ COUNT(*) FROM seq_1_to_1000000 a JOIN seq_1_to_1000000 b ON a.seq % 7 = b.seq % 11`,
    running: async (marker) =>
      Number(
        (await rows(`SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() AND INFO LIKE '%${marker}%'`))[0][0],
      ),
    // The server names the derived table, not its source; the engine reports that as unknown.
    subqueryLineage: null,
    escapeDatabases: ['shop'],
    bypasses: [
      ...COMMON_BYPASSES,
      { title: 'executable comment hiding a statement', sql: 'SELECT 1 /*!; DELETE FROM items */', outcome: 'refused' },
      { title: 'versioned executable comment', sql: '/*!50000 DELETE FROM items */', outcome: 'refused' },
      { title: 'INTO OUTFILE', sql: `SELECT * FROM items INTO OUTFILE '${files}/out.txt'`, outcome: 'refused' },
      { title: 'INTO DUMPFILE', sql: `SELECT name FROM items LIMIT 1 INTO DUMPFILE '${files}/dump.bin'`, outcome: 'refused' },
      { title: 'INTO a variable', sql: 'SELECT id INTO @stolen FROM items LIMIT 1', outcome: 'refused' },
      { title: 'LOAD_FILE', sql: "SELECT LOAD_FILE('/etc/hostname')", outcome: 'refused' },
      { title: 'user-level lock', sql: "SELECT GET_LOCK('jit', 0)", outcome: 'refused' },
      { title: 'SET the transaction read-write', sql: 'SET SESSION TRANSACTION READ WRITE', outcome: 'refused' },
      { title: 'DO', sql: 'DO (SELECT 1)', outcome: 'refused' },
      { title: 'LOCK IN SHARE MODE', sql: 'SELECT * FROM items LOCK IN SHARE MODE', outcome: 'harmless' },
      { title: 'user variable assignment', sql: "SELECT @jit := 'leak'", outcome: 'harmless' },
    ],
    async close() {
      await Promise.all([reader.close(), owner.close(), admin.end()]);
    },
  };
}

// SQLite has no session state a query can set.
export const TARGETS: { name: string; create: () => EngineTarget; sessionProbe?: SessionProbe }[] = [
  { name: 'sqlite', create: sqliteTarget },
  // PostgreSQL's function allowlist refuses set_config; its session reset is tested in
  // masking-postgres.test.ts.
  { name: 'postgres', create: postgresTarget },
  { name: 'mysql', create: mysqlTarget, sessionProbe: { set: "SELECT @jit := 'leak'", get: 'SELECT @jit' } },
];
