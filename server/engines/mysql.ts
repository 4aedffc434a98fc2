// MySQL / MariaDB engine. The instance URL should name an account with SELECT only (no FILE,
// no PROCESS): that is the first wall. The engine does not rely on it: each statement is
// first prepared — which parses without running it, refuses several statements, and shows a
// statement that returns no rows (SELECT … INTO OUTFILE/DUMPFILE/@var, SET, CALL…) before it
// can act — then runs in a `START TRANSACTION READ ONLY` that is always rolled back, under the
// server's statement time limit, streamed with back-pressure and cut at the row cap. The
// connection is reset before reuse, so nothing a statement sets outlives it. Executable
// comments and functions that act outside the transaction (LOAD_FILE, user-level locks) are
// refused up front (guard.ts).
import mysql, { type FieldPacket, type PoolConnection } from 'mysql2';
import { EngineError, type Engine, type EngineColumn, type EngineCursor, type RunLimits, type ServerEngineOptions } from './engine.js';
import { checkDatabaseName, checkStatement, functionNames, type StatementRules } from './guard.js';
import { connectWithinLimits, sessionSteps } from './limits.js';
import { mysqlError } from './mysql-errors.js';
import { mysqlRow, mysqlTypeName, timestampColumns } from './mysql-values.js';
import { batchCursor, readAll, type Batch } from './cursor.js';

const RULES: StatementRules = {
  keywords: new Set(['select', 'with', 'values', 'table']),
  forbidden: functionNames('load_file', 'get_lock', 'release_lock', 'release_all_locks', 'sys_exec', 'sys_eval'),
  refusedText: [{ pattern: /\/\*M?!/i, reason: 'executable comments (/*! … */) are not allowed' }],
};

type Connection = PoolConnection;

/** What COM_STMT_PREPARE reports (mysql2 has it at run time; its typings omit the fields). */
interface Prepared {
  columns: FieldPacket[];
  parameters: FieldPacket[];
  close(): void;
}

function call<T>(fn: (cb: (err: Error | null, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value))));
}

/** Rows of one executing statement, buffered up to one batch; the socket pauses while full. */
class RowStream {
  private rows: unknown[][] = [];
  private ended = false;
  private failure: unknown;
  private wake: (() => void) | undefined;

  constructor(
    private readonly conn: Connection,
    private readonly batchSize: number,
  ) {}

  attach(query: mysql.Query): void {
    query.on('result', (row) => {
      this.rows.push(row as unknown as unknown[]);
      if (this.rows.length >= this.batchSize) this.conn.pause();
      this.notify();
    });
    query.on('error', (err) => {
      this.failure = err;
      this.notify();
    });
    query.on('end', () => {
      this.ended = true;
      this.notify();
    });
  }

  /** The next rows, at most `max`; an empty array once the statement is exhausted. */
  async take(max: number): Promise<unknown[][]> {
    while (this.rows.length === 0 && !this.ended && this.failure === undefined) {
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    if (this.failure !== undefined) throw this.failure;
    const rows = this.rows.splice(0, max);
    if (this.rows.length < this.batchSize) this.conn.resume();
    return rows;
  }

  get done(): boolean {
    return this.ended && this.rows.length === 0;
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

// The server names a derived table, a CTE or a view as a column's table, just as it names a
// base table: only a base table's column is lineage masking can trust.
async function baseTablesOf(conn: Connection, fields: FieldPacket[]): Promise<Set<string>> {
  const named = [...new Set(fields.map((f) => f.orgTable).filter(Boolean))];
  if (named.length === 0) return new Set();
  const rows = await call<unknown[]>((cb) =>
    conn.query(
      "SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' AND TABLE_NAME IN (?)",
      [named],
      (err, result) => cb(err, result as unknown[]),
    ),
  );
  return new Set(rows.map((r) => (r as { t: string }).t));
}

export function createMysqlEngine(options: ServerEngineOptions): Engine {
  const batchSize = options.batchSize ?? 1000;
  const pools = new Map<string, mysql.Pool>();
  let mariadb: Promise<boolean> | undefined;
  let closed = false;

  function config(database: string) {
    const url = new URL(options.url);
    url.pathname = `/${encodeURIComponent(database)}`;
    return {
      uri: url.toString(),
      multipleStatements: false,
      supportBigNumbers: true,
      bigNumberStrings: true,
      dateStrings: true,
      timezone: 'Z',
      connectTimeout: 10_000,
    } as const;
  }

  function poolFor(database: string): mysql.Pool {
    if (closed) throw new EngineError('unavailable', 'the MySQL engine is closed');
    let pool = pools.get(database);
    if (!pool) {
      pool = mysql.createPool({ ...config(database), connectionLimit: options.maxConnections ?? 5, maxIdle: 2, idleTimeout: 30_000 });
      pool.on('connection', (conn) => conn.on('error', () => undefined));
      pools.set(database, pool);
    }
    return pool;
  }

  // MariaDB and MySQL name their statement time limit differently (seconds vs milliseconds).
  function isMariadb(conn: Connection): Promise<boolean> {
    mariadb ??= call<unknown[]>((cb) => conn.query('SELECT VERSION() AS v', (err, rows) => cb(err, rows as unknown[]))).then(
      (rows) => String((rows[0] as { v: string }).v).includes('MariaDB'),
    );
    return mariadb.catch((error: unknown) => {
      mariadb = undefined;
      throw error;
    });
  }

  // Stops a running statement from a separate connection: its own is busy sending rows.
  async function killQuery(database: string, threadId: number | null): Promise<void> {
    if (threadId === null) return;
    const killer = mysql.createConnection(config(database));
    try {
      await call((cb) => killer.query(`KILL QUERY ${Number(threadId)}`, cb));
    } catch {
      // The statement's connection is destroyed anyway, and the server's time limit ends it.
    } finally {
      killer.destroy();
    }
  }

  async function open(database: string, sql: string, limits: RunLimits): Promise<EngineCursor> {
    checkDatabaseName(database);
    checkStatement(sql, RULES);
    const fail = (error: unknown) => mysqlError(error, database, limits.timeoutMs);
    const pool = poolFor(database);
    const connecting = call<Connection>((cb) => pool.getConnection(cb));
    const conn = await connectWithinLimits(connecting, limits, (c) => c.destroy()).catch((error: unknown) => {
      throw fail(error);
    });
    let released = false;
    let running = false;
    const release = async (stop: boolean) => {
      if (released) return;
      released = true;
      if (stop || running) {
        void killQuery(database, conn.threadId);
        conn.destroy();
        return;
      }
      try {
        await call((cb) => conn.query('ROLLBACK', cb));
        await call((cb) => conn.reset((err) => cb(err, undefined)));
        conn.release();
      } catch {
        conn.destroy();
      }
    };
    const step = sessionSteps(limits, release, fail);
    const limit = (await step(isMariadb(conn)))
      ? `max_statement_time = ${Math.max(0.001, limits.timeoutMs / 1000)}`
      : `max_execution_time = ${Math.max(1, Math.ceil(limits.timeoutMs))}`;
    await step(call((cb) => conn.query(`SET SESSION ${limit}, time_zone = '+00:00'`, cb)));
    await step(call((cb) => conn.query('START TRANSACTION READ ONLY', cb)));
    const prepared = await step(call<Prepared>((cb) => conn.prepare(sql, (err, stmt) => cb(err, stmt as unknown as Prepared))));
    if (prepared.columns.length === 0 || prepared.parameters.length > 0) {
      prepared.close();
      await release(false);
      throw new EngineError('read_only', prepared.columns.length === 0 ? 'only a read-only query that returns rows can run' : 'the statement must not have parameters');
    }
    const baseTables = await step(baseTablesOf(conn, prepared.columns));
    const rows = new RowStream(conn, batchSize);
    const fields = new Promise<FieldPacket[]>((resolve, reject) => {
      const query = conn.execute({ sql, values: [], rowsAsArray: true });
      query.once('fields', (f: FieldPacket[]) => resolve(f));
      query.once('error', reject);
      rows.attach(query);
    });
    running = true;
    const described = await step(fields);
    const columns: EngineColumn[] = described.map((f) => ({
      name: f.name,
      type: mysqlTypeName(f),
      source: f.orgTable && f.orgName && baseTables.has(f.orgTable) ? { table: f.orgTable, column: f.orgName } : null,
    }));
    const timestamps = timestampColumns(described);
    let left = Math.max(1, limits.maxRows);
    const next = async (): Promise<Batch> => {
      const batch = await step(rows.take(Math.min(batchSize, left)));
      left -= batch.length;
      const truncated = left === 0 && !rows.done && (await step(rows.take(1))).length > 0;
      const done = left === 0 || rows.done;
      if (done) {
        running = !rows.done;
        await release(false);
      }
      return { rows: batch.map((row) => mysqlRow(row, timestamps)), done, truncated };
    };
    return batchCursor(columns, next, () => release(false));
  }

  return {
    kind: 'mysql',
    open,
    query: (database, sql, limits) => readAll(open(database, sql, limits)),
    async close() {
      closed = true;
      const all = [...pools.values()];
      pools.clear();
      await Promise.all(all.map((p) => call((cb) => p.end(cb))));
    },
  };
}
