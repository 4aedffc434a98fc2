// PostgreSQL engine. The instance URL should name a role that may only SELECT (and USAGE on
// its schemas): that is the first wall. The engine does not rely on it: every statement runs
// in its own `BEGIN READ ONLY` transaction that is always rolled back, with a statement
// timeout, through the extended protocol (one statement only), after the checks in guard.ts
// have refused functions a read-only transaction still permits (signalling other backends,
// server files, dblink, session-level advisory locks, SQL text run by query_to_xml). Rows come
// through a cursor, so no more than the row cap ever leaves the server.
import pg from 'pg';
import Cursor from 'pg-cursor';
import { EngineError, type ColumnSource, type Engine, type EngineColumn, type EngineCursor, type RunLimits, type ServerEngineOptions } from './engine.js';
import { checkDatabaseName, checkStatement, functionNames, type StatementRules } from './guard.js';
import { connectWithinLimits, sessionSteps } from './limits.js';
import { pgError } from './postgres-errors.js';
import { pgTypes } from './postgres-types.js';
import { batchCursor, readAll, type Batch } from './cursor.js';
import { toCell } from './values.js';

const RULES: StatementRules = {
  keywords: new Set(['select', 'with', 'values', 'table']),
  forbidden: functionNames(
    'pg_terminate_backend',
    'pg_cancel_backend',
    'pg_signal_backend',
    'pg_reload_conf',
    'pg_rotate_logfile',
    'pg_promote',
    'pg_switch_wal',
    'pg_log_backend_memory_contexts',
    'pg_read_file',
    'pg_read_binary_file',
    'pg_stat_file',
    'pg_ls_[a-z_]+',
    'pg_file_[a-z_]+',
    'lo_[a-z_]+',
    'lowrite',
    'loread',
    'dblink[a-z_]*',
    'query_to_xml[a-z_]*',
    'cursor_to_xml[a-z_]*',
    'pg_(?:try_)?advisory_lock(?:_shared)?',
    'pg_advisory_unlock[a-z_]*',
    'pg_notify',
    'pg_logical_emit_message',
    'pg_(?:create|drop|copy)_[a-z_]*replication_slot',
    'pg_replication_origin_[a-z_]+',
  ),
  // U&"..." spells an identifier with escapes, which would hide a name from the check above.
  refusedText: [{ pattern: /u&["']/i, reason: 'Unicode-escaped names and strings (U&"…") are not allowed' }],
};

interface Metadata {
  pool: pg.Pool;
  types: Map<number, string>;
  sources: Map<string, ColumnSource | null>;
}

export function createPostgresEngine(options: ServerEngineOptions): Engine {
  const batchSize = options.batchSize ?? 1000;
  const pools = new Map<string, pg.Pool>();
  const metadata = new Map<string, Metadata>();
  let closed = false;

  function connectionString(database: string): string {
    const url = new URL(options.url);
    url.pathname = `/${encodeURIComponent(database)}`;
    return url.toString();
  }

  function newPool(database: string, max: number): pg.Pool {
    const pool = new pg.Pool({
      connectionString: connectionString(database),
      max,
      idleTimeoutMillis: 30_000,
      connectionTimeoutMillis: 10_000,
      allowExitOnIdle: true,
      application_name: 'jit-access',
    });
    // An idle connection the server closed is dropped by the pool; it is not an error of any
    // statement.
    pool.on('error', () => undefined);
    return pool;
  }

  function poolFor(database: string): pg.Pool {
    if (closed) throw new EngineError('unavailable', 'the PostgreSQL engine is closed');
    let pool = pools.get(database);
    if (!pool) pools.set(database, (pool = newPool(database, options.maxConnections ?? 5)));
    return pool;
  }

  // Column names and types come from catalog queries on a connection of their own: the
  // statement's connection is busy with its open cursor.
  function metadataFor(database: string): Metadata {
    let m = metadata.get(database);
    if (!m) metadata.set(database, (m = { pool: newPool(database, 2), types: new Map(), sources: new Map() }));
    return m;
  }

  async function describe(database: string, fields: pg.FieldDef[]): Promise<EngineColumn[]> {
    const m = metadataFor(database);
    const missingTypes = [...new Set(fields.map((f) => f.dataTypeID))].filter((oid) => !m.types.has(oid));
    if (missingTypes.length > 0) {
      const { rows } = await m.pool.query<{ oid: number; name: string }>(
        'SELECT oid::int AS oid, format_type(oid, NULL) AS name FROM pg_type WHERE oid = ANY($1::oid[])',
        [missingTypes],
      );
      for (const r of rows) m.types.set(r.oid, r.name.toLowerCase());
    }
    const key = (f: pg.FieldDef) => `${f.tableID}:${f.columnID}`;
    const missingSources = fields.filter((f) => f.tableID !== 0 && !m.sources.has(key(f)));
    if (missingSources.length > 0) {
      const { rows } = await m.pool.query<{ rel: number; num: number; schema: string; table: string; column: string }>(
        // A view's column is not the base column it shows: its lineage is unknown here.
        `SELECT a.attrelid::int AS rel, a.attnum::int AS num, n.nspname AS schema, c.relname AS table, a.attname AS column
           FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND c.relkind IN ('r', 'p', 'f')`,
        [[...new Set(missingSources.map((f) => f.tableID))]],
      );
      for (const f of missingSources) {
        const r = rows.find((row) => row.rel === f.tableID && row.num === f.columnID);
        m.sources.set(key(f), r ? { table: r.table, column: r.column, schema: r.schema } : null);
      }
    }
    return fields.map((f) => ({
      name: f.name,
      type: m.types.get(f.dataTypeID) ?? '',
      source: f.tableID === 0 ? null : (m.sources.get(key(f)) ?? null),
    }));
  }

  // Cancels through a separate connection, by backend pid: the statement's own connection is
  // busy. Its connection is never reused afterwards, so the cancel cannot hit another statement.
  async function cancelBackend(database: string, pid: number | undefined): Promise<void> {
    if (pid === undefined) return;
    const canceller = new pg.Client({ connectionString: connectionString(database), connectionTimeoutMillis: 10_000 });
    try {
      await canceller.connect();
      await canceller.query('SELECT pg_cancel_backend($1)', [pid]);
    } catch {
      // The statement's connection is destroyed anyway, and the server's statement_timeout ends it.
    } finally {
      await canceller.end().catch(() => undefined);
    }
  }

  async function open(database: string, sql: string, limits: RunLimits): Promise<EngineCursor> {
    checkDatabaseName(database);
    checkStatement(sql, RULES);
    const fail = (error: unknown) => pgError(error, database, limits.timeoutMs);
    const pool = poolFor(database);
    const connecting = pool.connect();
    const client = await connectWithinLimits(connecting, limits, (c) => c.release(true)).catch((error: unknown) => {
      const failure = fail(error);
      // Keep no pool for a database that does not exist.
      if (failure.kind === 'not_found' && pools.get(database) === pool) {
        pools.delete(database);
        void pool.end();
      }
      throw failure;
    });
    // Reach into the client for its backend pid (typed in @types/pg only on notifications).
    const pid = (client as unknown as { processID?: number }).processID;
    let cursor: Cursor<unknown[]> | undefined;
    let released = false;
    const release = async (stopped: boolean) => {
      if (released) return;
      released = true;
      if (stopped) {
        void cancelBackend(database, pid);
        client.release(true);
        return;
      }
      try {
        await cursor?.close();
        await client.query('ROLLBACK');
        client.release();
      } catch {
        client.release(true);
      }
    };
    const step = sessionSteps(limits, release, fail);
    const timeout = Math.max(1, Math.ceil(limits.timeoutMs));
    await step(
      client.query(
        `BEGIN READ ONLY; SET LOCAL statement_timeout = ${timeout}; SET LOCAL default_transaction_read_only = on;
         SET LOCAL idle_in_transaction_session_timeout = ${Math.max(timeout, 60_000)}; SET LOCAL TimeZone = 'UTC';
         SET LOCAL bytea_output = 'hex'; SET LOCAL DateStyle = 'ISO'`,
      ),
    );
    cursor = client.query(new Cursor<unknown[]>(sql, undefined, { rowMode: 'array', types: pgTypes }));
    const read = (n: number) =>
      step(
        new Promise<{ rows: unknown[][]; fields: pg.FieldDef[] }>((resolve, reject) =>
          cursor!.read(n, (err, rows, result) => (err ? reject(err) : resolve({ rows, fields: result?.fields ?? [] }))),
        ),
      );
    let left = Math.max(1, limits.maxRows);
    const first = await read(Math.min(batchSize, left));
    const columns = await step(describe(database, first.fields));
    let pending: unknown[][] | undefined = first.rows;
    const next = async (): Promise<Batch> => {
      const want = Math.min(batchSize, left);
      const rows = pending ?? (await read(want)).rows;
      pending = undefined;
      left -= rows.length;
      const truncated = left === 0 && (await read(1)).rows.length > 0;
      const done = left === 0 || rows.length < want;
      if (done) await release(false);
      return { rows: rows.map((row) => row.map(toCell)), done, truncated };
    };
    return batchCursor(columns, next, () => release(false));
  }

  return {
    kind: 'postgres',
    open,
    query: (database, sql, limits) => readAll(open(database, sql, limits)),
    async close() {
      closed = true;
      const all = [...pools.values(), ...[...metadata.values()].map((m) => m.pool)];
      pools.clear();
      metadata.clear();
      await Promise.all(all.map((p) => p.end()));
    },
  };
}
