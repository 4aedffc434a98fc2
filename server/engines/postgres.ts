// PostgreSQL engine. The engine enforces; the statement gate only explains. Statements run as
// one of two least-privilege LOGIN identities the service provisions per database
// (postgres-provision.ts): without `unmask`, an identity that reads masked tables only through
// masking views whose columns are already masked, so predicates, joins, functions, statistics
// and error messages only ever see masked values; with `unmask`, one that may read the
// database's tables and nothing more. Each statement runs in its own `BEGIN READ ONLY`
// transaction that is always rolled back, with a statement timeout, through the extended
// protocol (one statement only), after a function ALLOWLIST check (postgres-functions.ts) has
// refused what a read-only transaction still permits; the session is reset (DISCARD ALL)
// before it is reused. Rows come through a cursor, so no more than the row cap leaves the server.
//
// Without identity secrets (engine-level tests, tools) statements run as the URL's account,
// and a run that needs masking is refused: masked data never leaves an unprovisioned instance.
import pg from 'pg';
import Cursor from 'pg-cursor';
import {
  EngineError,
  type Cell,
  type ColumnSource,
  type Engine,
  type EngineColumn,
  type EngineCursor,
  type MaskedColumnRule,
  type RunLimits,
  type RunScope,
  type ServerEngineOptions,
  type StatementReads,
  type TableRead,
  type WaitLimits,
  UnknownTableError,
} from './engine.js';
import { callsOutsideAllowlist, checkDatabaseName, refuseFunction } from './guard.js';
import { connectWithinLimits, sessionSteps, withinLimits } from './limits.js';
import { pgError } from './postgres-errors.js';
import { POSTGRES_FUNCTIONS } from './postgres-functions.js';
import { identitiesFor, MASK_SCHEMA, provisionSql, readState, rulesFingerprint, STATE_QUERY, type Identities } from './postgres-provision.js';
import { pgTypes } from './postgres-types.js';
import { planReads, TABLES_QUERY, WITH_ANCESTORS_QUERY } from './postgres-reads.js';
import { batchCursor, cappedBatches, readAll, type Batch, type Rows } from './cursor.js';
import { RowEncoder, type EncodedRows, type RowEncoding } from './encoded-rows.js';
import { toCell } from './values.js';
import { planMasking } from '../masking/mask-plan.js';
import { checkStatement as readStatement } from '../sql/statement-gate.js';
import { LEX_MODES } from '../../lang/sql/lexer.js';

/**
 * How long a database found provisioned as wanted is trusted without a new catalog check. A
 * change of the masking rules is seen at once (the fingerprint is computed per run); a table or
 * view changed by the owner is seen within this time (a new table fails closed on its own).
 */
const STATE_TTL_MS = 1000;

const KEYWORDS = new Set(['select', 'with', 'values', 'table']);
// standard_conforming_strings may be on or off: the statement is checked under both readings.

/**
 * Starts a run's read-only transaction. A masked run resolves names through the masking schema
 * first: a masking view has its table's name.
 */
function beginRun(timeoutMs: number, masked: boolean): string {
  const timeout = Math.max(1, Math.ceil(timeoutMs));
  return `BEGIN READ ONLY; SET LOCAL statement_timeout = ${timeout}; SET LOCAL default_transaction_read_only = on;
         SET LOCAL idle_in_transaction_session_timeout = ${Math.max(timeout, 60_000)}; SET LOCAL TimeZone = 'UTC';
         SET LOCAL bytea_output = 'hex'; SET LOCAL DateStyle = 'ISO'${masked ? `; SET LOCAL search_path = ${MASK_SCHEMA}, public` : ''}`;
}

/** How to provision, in the message of every refusal for want of it. */
export function provisionHint(instanceId: string | undefined): string {
  return `run \`npx jit-server provision --instance ${instanceId ?? 'ID'}\` and have a DBA run the SQL it prints (or give the service's account ownership of the database and CREATEROLE)`;
}

interface Metadata {
  /** The service's own account: catalog reads and provisioning, never user statements. */
  pool: pg.Pool;
  types: Map<number, string>;
  sources: Map<string, ColumnSource | null>;
}

interface Login {
  user: string;
  password: string;
}

export function createPostgresEngine(options: ServerEngineOptions): Engine {
  const batchSize = options.batchSize ?? 1000;
  const instanceId = options.instanceId;
  const secrets = options.secrets;
  const pools = new Map<string, pg.Pool>();
  const metadata = new Map<string, Metadata>();
  const provisioning = new Map<string, Promise<void>>();
  // Databases found provisioned as wanted, and when: the catalog check is a query of its own,
  // so it is made at most once per STATE_TTL_MS per database.
  const checked = new Map<string, { fp: string; at: number }>();
  let closed = false;

  function connectionString(database: string, login?: Login): string {
    const url = new URL(options.url);
    url.pathname = `/${encodeURIComponent(database)}`;
    if (login) {
      url.username = encodeURIComponent(login.user);
      url.password = encodeURIComponent(login.password);
    }
    return url.toString();
  }

  function newPool(database: string, max: number, login?: Login): pg.Pool {
    const pool = new pg.Pool({
      connectionString: connectionString(database, login),
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

  const poolKey = (database: string, login?: Login) => `${database}\0${login?.user ?? ''}`;

  function poolFor(database: string, login?: Login): pg.Pool {
    if (closed) throw new EngineError('unavailable', 'the PostgreSQL engine is closed');
    const key = poolKey(database, login);
    let pool = pools.get(key);
    if (!pool) pools.set(key, (pool = newPool(database, options.maxConnections ?? 5, login)));
    return pool;
  }

  // Column names and types come from catalog queries on a connection of their own: the
  // statement's connection is busy with its open cursor.
  function metadataFor(database: string): Metadata {
    if (closed) throw new EngineError('unavailable', 'the PostgreSQL engine is closed');
    let m = metadata.get(database);
    if (!m) metadata.set(database, (m = { pool: newPool(database, 2), types: new Map(), sources: new Map() }));
    return m;
  }

  function forget(database: string) {
    for (const [key, pool] of pools) {
      if (key.startsWith(`${database}\0`)) {
        pools.delete(key);
        void pool.end();
      }
    }
    const m = metadata.get(database);
    if (m) {
      metadata.delete(database);
      void m.pool.end();
    }
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
        // A view's column is not the base column it shows: its lineage is unknown here — except
        // for a masking view, whose columns are the columns of the one relation it reads.
        `SELECT a.attrelid::int AS rel, a.attnum::int AS num, coalesce(bn.nspname, n.nspname) AS schema,
                coalesce(b.relname, c.relname) AS table, a.attname AS column
           FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
           LEFT JOIN LATERAL (SELECT d.refobjid FROM pg_rewrite r JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass
                    AND d.objid = r.oid AND d.refclassid = 'pg_class'::regclass
                   WHERE r.ev_class = c.oid AND d.refobjid <> c.oid LIMIT 1) dep ON n.nspname = '${MASK_SCHEMA}'
           LEFT JOIN pg_class b ON b.oid = dep.refobjid LEFT JOIN pg_namespace bn ON bn.oid = b.relnamespace
          WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0
            AND (c.relkind IN ('r', 'p', 'f') OR (n.nspname = '${MASK_SCHEMA}' AND b.oid IS NOT NULL))`,
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

  // Which result columns carry masked values. The engine already masked them; this only tells
  // the user, from lineage (a masking view's column is its base column) and, for computed
  // columns, the statement gate's reading of what the statement reads.
  function flagMasked(sql: string, columns: EngineColumn[], scope: RunScope): EngineColumn[] {
    if (scope.unmask || scope.masking.length === 0) return columns.map((c) => ({ ...c, masked: false }));
    let reads: Parameters<typeof planMasking>[0]['reads'];
    try {
      reads = readStatement(sql, 'postgres');
    } catch {
      const tables = scope.masking.map((r) => r.table.slice(r.table.lastIndexOf('.') + 1));
      reads = { tables, columns: [{ table: null, column: '*' }], compound: true };
    }
    const plan = planMasking({ columns, rules: scope.masking, reads });
    // A whole-row reference or an expression over a masked table carries its masked values.
    const bare = (t: string) => t.slice(t.lastIndexOf('.') + 1).toLowerCase();
    const maskedTables = new Set(scope.masking.map((r) => bare(r.table)));
    const readsMaskedTable = reads.tables.some((t) => maskedTables.has(t.toLowerCase()));
    return columns.map((c, i) => ({ ...c, masked: plan[i] !== null || (c.source === null && readsMaskedTable) }));
  }

  // Refuses calls to functions that are not on the allowlist (a name that is no function —
  // a column alias list, a CTE's columns, a keyword — is not a call).
  async function checkFunctions(database: string, sql: string): Promise<void> {
    const calls = callsOutsideAllowlist(sql, LEX_MODES.postgres, KEYWORDS, POSTGRES_FUNCTIONS);
    if (calls.length === 0) return;
    const { rows } = await metadataFor(database).pool.query<{ proname: string }>(
      'SELECT DISTINCT proname::text AS proname FROM pg_proc WHERE proname = ANY($1::text[])',
      [[...new Set(calls.map((c) => c.name))]],
    );
    const real = new Set(rows.map((r) => r.proname));
    const call = calls.find((c) => real.has(c.name));
    if (call) refuseFunction(sql, call);
  }

  function notProvisioned(database: string, why: string): EngineError {
    return new EngineError('unavailable', `database "${database}" is not provisioned for least-privilege runs (${why}): ${provisionHint(instanceId)}`);
  }

  async function provision(database: string, rules: MaskedColumnRule[], ids: Identities): Promise<void> {
    const client = await metadataFor(database).pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(provisionSql(rules, ids));
      await client.query('COMMIT');
      client.release();
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
      throw error;
    }
  }

  // The identity a run logs in as, provisioning the database first when its rules, tables or
  // views changed since it was provisioned (and the service's account may).
  async function loginFor(database: string, scope: RunScope): Promise<Login | undefined> {
    const needsMasking = !scope.unmask && scope.masking.length > 0;
    if (!instanceId || !secrets) {
      if (needsMasking) throw notProvisioned(database, 'the engine has no identities to run masked statements as');
      return undefined;
    }
    const ids = identitiesFor(instanceId, database, secrets);
    const fp = rulesFingerprint(scope.masking, ids);
    const login = scope.unmask ? { user: ids.unmask, password: ids.passwords.unmask } : { user: ids.masked, password: ids.passwords.masked };
    const seen = checked.get(database);
    if (seen?.fp === fp && Date.now() - seen.at < STATE_TTL_MS) return login;
    const state = readState((await metadataFor(database).pool.query(STATE_QUERY)).rows[0], fp);
    if (state === 'current') checked.set(database, { fp, at: Date.now() });
    else {
      checked.delete(database);
      const key = `${database}\0${fp}`;
      let inflight = provisioning.get(key);
      if (!inflight) {
        inflight = provision(database, scope.masking, ids).finally(() => provisioning.delete(key));
        provisioning.set(key, inflight);
      }
      try {
        await inflight;
        checked.set(database, { fp, at: Date.now() });
      } catch (error) {
        const reason = error instanceof pg.DatabaseError ? `provisioning failed: ${error.message}` : 'provisioning failed';
        // New tables or views since provisioning: a table the identities were not granted
        // fails closed on its own, but a view redefined over a masked table would not, so a
        // masked run is refused until the database is provisioned again.
        if (state === 'catalog-changed' && !needsMasking) {
          // fall through: the identities' privileges are as provisioned
        } else if (state === 'catalog-changed') {
          throw notProvisioned(database, `tables or views changed since it was provisioned; ${reason}`);
        } else {
          throw notProvisioned(database, state === 'missing' ? reason : `the masking rules changed since it was provisioned; ${reason}`);
        }
      }
    }
    return login;
  }

  // Cancels through a separate connection of the same identity (a role may cancel its own
  // sessions), by backend pid: the statement's own connection is busy. Its connection is never
  // reused afterwards, so the cancel cannot hit another statement.
  async function cancelBackend(database: string, pid: number | undefined, login: Login | undefined): Promise<void> {
    if (pid === undefined) return;
    const canceller = new pg.Client({ connectionString: connectionString(database, login), connectionTimeoutMillis: 10_000 });
    try {
      await canceller.connect();
      await canceller.query('SELECT pg_cancel_backend($1)', [pid]);
    } catch {
      // The statement's connection is destroyed anyway, and the server's statement_timeout ends it.
    } finally {
      await canceller.end().catch(() => undefined);
    }
  }

  /**
   * What every statement goes through before it reaches the server: the function allowlist,
   * the identity it runs as (provisioned), and a connection of that identity.
   */
  async function connectFor(database: string, sql: string, limits: WaitLimits, scope: RunScope) {
    checkDatabaseName(database);
    let masked = false;
    const fail = (error: unknown) => {
      const failure = pgError(error, database, limits.timeoutMs);
      // Keep no pool for a database that does not exist.
      if (failure.kind === 'not_found') forget(database);
      if (masked && error instanceof pg.DatabaseError && error.code === '42501') {
        return new EngineError(
          'invalid',
          `${failure.message}: in masked mode masked tables are read through their masking views (name the table without its schema), ` +
            `and views over masked tables cannot be read; a table or view created since the database was provisioned needs provisioning again (${provisionHint(instanceId)})`,
        );
      }
      return failure;
    };
    let login: Login | undefined;
    try {
      await withinLimits(checkFunctions(database, sql), limits, () => undefined);
      login = await withinLimits(loginFor(database, scope), limits, () => undefined);
    } catch (error) {
      throw fail(error);
    }
    masked = login !== undefined && !scope.unmask;
    const connecting = poolFor(database, login).connect();
    const client = await connectWithinLimits(connecting, limits, (c) => c.release(true)).catch((error: unknown) => {
      throw fail(error);
    });
    return { client, login, masked, fail };
  }

  // EXPLAIN plans the statement as its run would (same identity, search path, read-only
  // transaction, time limit) without running it: the plan names every relation scanned, views
  // already replaced by their base tables, CTEs as CTE scans.
  async function reads(database: string, sql: string, limits: WaitLimits, scope: RunScope): Promise<StatementReads> {
    const { client, masked, fail } = await connectFor(database, sql, limits, scope);
    let stopped = false;
    try {
      const explain = async () => {
        await client.query(beginRun(limits.timeoutMs, masked));
        // The extended protocol, as runs use: one statement, whatever the text holds
        // (@types/pg does not know the option yet).
        const explained: pg.QueryConfig = { text: `EXPLAIN (VERBOSE, FORMAT JSON) ${sql}`, queryMode: 'extended' } as pg.QueryConfig;
        const { rows } = await client.query<{ 'QUERY PLAN': unknown }>(explained);
        await client.query('ROLLBACK');
        return rows[0]['QUERY PLAN'];
      };
      const planned = planReads(await withinLimits(explain(), limits, () => (stopped = true)));
      if ('unknown' in planned || planned.tables.length === 0) return planned;
      const { rows } = await withinLimits(
        metadataFor(database).pool.query<TableRead>(WITH_ANCESTORS_QUERY, [planned.tables.map((t) => t.schema), planned.tables.map((t) => t.table)]),
        limits,
        () => undefined,
      );
      return { tables: rows };
    } catch (error) {
      stopped = true;
      if (error instanceof pg.DatabaseError && error.code === '42P01') {
        const name = /relation "(?:[^"]*\.)?([^".]+)" does not exist/.exec(error.message)?.[1];
        if (name) throw new UnknownTableError(name, `${error.message} in database "${database}"`);
      }
      throw fail(error);
    } finally {
      client.release(stopped);
    }
  }

  /** With `encoding`, each batch is encoded straight from the driver's rows (B is EncodedRows); otherwise cells. */
  async function open<B extends Rows>(database: string, sql: string, limits: RunLimits, scope: RunScope, encoding?: RowEncoding): Promise<EngineCursor<B>> {
    const { client, login, masked, fail } = await connectFor(database, sql, limits, scope);
    // Reach into the client for its backend pid (typed in @types/pg only on notifications).
    const pid = (client as unknown as { processID?: number }).processID;
    let cursor: Cursor<unknown[]> | undefined;
    let released = false;
    const release = async (stopped: boolean) => {
      if (released) return;
      released = true;
      if (stopped) {
        void cancelBackend(database, pid, login);
        client.release(true);
        return;
      }
      try {
        await cursor?.close();
        await client.query('ROLLBACK');
        // Nothing the statement did to the session (settings, advisory locks, prepared
        // statements) reaches the next run on this connection.
        await client.query('DISCARD ALL');
        client.release();
      } catch {
        client.release(true);
      }
    };
    const step = sessionSteps(limits, release, fail);
    await step(client.query(beginRun(limits.timeoutMs, masked)));
    cursor = client.query(new Cursor<unknown[]>(sql, undefined, { rowMode: 'array', types: pgTypes }));
    const readRows = (n: number) =>
      step(
        new Promise<{ rows: unknown[][]; fields: pg.FieldDef[] }>((resolve, reject) =>
          cursor!.read(n, (err, rows, result) => (err ? reject(err) : resolve({ rows, fields: result?.fields ?? [] }))),
        ),
      );
    // The fields come with the first rows read, so the first batch is read before the columns.
    let fields: pg.FieldDef[] | undefined;
    const batches = cappedBatches(limits.maxRows, batchSize, async (n) => {
      const read = await readRows(n);
      fields ??= read.fields;
      return { rows: read.rows, exhausted: read.rows.length < n };
    });
    let pending: Awaited<ReturnType<typeof batches>> | undefined = await batches();
    const columns = flagMasked(sql, await step(describe(database, fields ?? [])), masked ? scope : { unmask: true, masking: [] });
    const encoder = encoding && new RowEncoder(encoding.format, columns);
    const next = async (): Promise<Batch<B>> => {
      const batch = pending ?? (await batches());
      pending = undefined;
      if (batch.done) await release(false);
      return { ...batch, rows: (encoder ? encoder.encode(batch.rows, toCell) : batch.rows.map((row) => row.map(toCell))) as B };
    };
    return batchCursor(columns, next, () => release(false));
  }

  return {
    kind: 'postgres',
    open: (database, sql, limits, scope) => open<Cell[][]>(database, sql, limits, scope),
    openEncoded: (database, sql, limits, scope, encoding) => open<EncodedRows>(database, sql, limits, scope, encoding),
    reads,
    async tables(database, limits) {
      checkDatabaseName(database);
      const { rows } = await withinLimits(metadataFor(database).pool.query<{ schema: string; table: string }>(TABLES_QUERY), limits, () => undefined).catch(
        (error: unknown) => {
          throw pgError(error, database, limits.timeoutMs);
        },
      );
      return rows;
    },
    query: (database, sql, limits, scope) => readAll(open<Cell[][]>(database, sql, limits, scope)),
    async provisionScript(databases) {
      if (!instanceId || !secrets) throw new Error('provisioning needs the instance id and the identity secrets');
      const parts = [
        `-- jit-access: least-privilege identities and masking views for instance "${instanceId}".`,
        '-- Run with psql as a superuser, or as each database\'s owner with CREATEROLE:',
        '--   psql -v ON_ERROR_STOP=1 -f this-file.sql',
        '-- It contains the identities\' passwords: keep it as secret as they are.',
        '',
      ];
      for (const db of databases) {
        checkDatabaseName(db.name);
        parts.push(`\\connect "${db.name}"`, 'BEGIN;', provisionSql(db.masking, identitiesFor(instanceId, db.name, secrets)).trimEnd(), 'COMMIT;', '');
      }
      return parts.join('\n');
    },
    async close() {
      closed = true;
      const all = [...pools.values(), ...[...metadata.values()].map((m) => m.pool)];
      pools.clear();
      metadata.clear();
      await Promise.all(all.map((p) => p.end()));
    },
  };
}
