// MySQL / MariaDB engine. The engine, not our reading of the SQL, enforces what a statement
// may read: every statement runs as a least-privilege login identity of its database
// (mysql-provision.ts). A masked run logs in as the database's masked identity, whose only
// privilege is SELECT on the masking database (its default database), where each table is a view
// that computes the masks; an unmasked run logs in as the unmask identity, with SELECT on the
// database's base tables only. Another database, `mysql.*`, the database's own views and
// routines are denied by the server. Provisioning is checked before each run against a
// fingerprint of the tables and masking rules, and redone when the service's account may;
// otherwise the run is refused with how to provision (fail closed).
// Each statement is first prepared — which parses without running it and shows a statement that
// returns no rows (SELECT … INTO OUTFILE/DUMPFILE/@var, SET, CALL…) before it can act — then runs
// in a `START TRANSACTION READ ONLY` that is always rolled back, under the server's statement time
// limit and a fixed sql_mode, streamed with back-pressure and cut at the row cap. The connection
// is reset (COM_RESET_CONNECTION) after every run, so user locks and session variables never
// outlive it. Only allowlisted functions may be called (mysql-guard.ts).
import mysql, { type FieldPacket, type PoolConnection } from 'mysql2';
import { checkStatement as gateStatement } from '../sql/statement-gate.js';
import { EngineError, UnknownTableError, type Cell, type Engine, type EngineColumn, type EngineCursor, type MaskedColumnRule, type RunLimits, type RunScope, type ServerEngineOptions, type WaitLimits } from './engine.js';
import { checkDatabaseName, checkStatement, type StatementRules } from './guard.js';
import { connectWithinLimits, sessionSteps, withinLimits } from './limits.js';
import { mysqlError } from './mysql-errors.js';
import { checkMysqlFunctions, RUN_SQL_MODE } from './mysql-guard.js';
import {
  fingerprintOf,
  identityNames,
  maskDatabaseName,
  provisionStatements,
  ruleFor,
  type ProvisionPlan,
  type SchemaTable,
} from './mysql-provision.js';
import { tablesOfRewrite } from './mysql-reads.js';
import { mysqlCell, mysqlTypeName, timestampColumns } from './mysql-values.js';
import { batchCursor, cappedBatches, readAll, type Batch, type Rows } from './cursor.js';
import { RowEncoder, type EncodedRows, type RowEncoding } from './encoded-rows.js';

const RULES: StatementRules = {
  keywords: new Set(['select', 'with', 'values', 'table']),
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


/** Where one run goes: the identity's pool and what lineage and errors are named against. */
interface Target {
  pool: mysql.Pool;
  /** Connection options of the same login, for the connection that stops a running statement. */
  login: mysql.ConnectionOptions;
  /** Base tables of the source database (the masking database's views have the same names). */
  tables: Set<string>;
  /** The masking database the run reads through, in masked runs. */
  maskDb?: string;
}

/** A MySQL engine, which can also print the provisioning SQL a DBA runs for it. */
export interface MysqlEngine extends Engine {
  provisionScript(databases: { name: string; masking: MaskedColumnRule[] }[]): Promise<string>;
}

const errnoOf = (error: unknown) => (error as { errno?: number }).errno;

export function createMysqlEngine(options: ServerEngineOptions): MysqlEngine {
  const batchSize = options.batchSize ?? 1000;
  const pools = new Map<string, mysql.Pool>();
  let admin: mysql.Pool | undefined;
  let mariadb: Promise<boolean> | undefined;
  let host: Promise<string> | undefined;
  let closed = false;
  const instanceId = options.instanceId;
  const secrets = options.secrets;
  const identityMode = instanceId !== undefined && secrets !== undefined;
  /** Provisioning checks in flight, one per database, so runs never provision concurrently. */
  const ensuring = new Map<string, Promise<SchemaTable[]>>();

  function config(database: string, login?: { user: string; password: string }): mysql.ConnectionOptions {
    const url = new URL(options.url);
    url.pathname = `/${encodeURIComponent(database)}`;
    if (login) {
      url.username = encodeURIComponent(login.user);
      url.password = encodeURIComponent(login.password);
    }
    return {
      uri: url.toString(),
      multipleStatements: false,
      supportBigNumbers: true,
      bigNumberStrings: true,
      dateStrings: true,
      timezone: 'Z',
      connectTimeout: 10_000,
    };
  }

  function pool(key: string, cfg: mysql.ConnectionOptions, limit: number): mysql.Pool {
    if (closed) throw new EngineError('unavailable', 'the MySQL engine is closed');
    let p = pools.get(key);
    if (!p) {
      p = mysql.createPool({ ...cfg, connectionLimit: limit, maxIdle: 2, idleTimeout: 30_000 });
      p.on('connection', (conn) => conn.on('error', () => undefined));
      pools.set(key, p);
    }
    return p;
  }

  // The service's own account's session reads SQL text in the same, fixed sql_mode as runs
  // (the view definitions and quoted passwords it sends depend on it).
  function adminPool(): mysql.Pool {
    const p = pool('\0admin', config(''), 2);
    p.on('connection', (conn) => conn.query(`SET SESSION sql_mode = '${RUN_SQL_MODE}'`, () => undefined));
    return p;
  }

  /** The service's own account, for provisioning and schema reads only: never a user statement. */
  function adminQuery<T = Record<string, unknown>>(sql: string, values: unknown[] = []): Promise<T[]> {
    if (closed) return Promise.reject(new EngineError('unavailable', 'the MySQL engine is closed'));
    admin ??= adminPool();
    return call<T[]>((cb) => admin!.query(sql, values, (err, rows) => cb(err, rows as T[])));
  }

  // MariaDB and MySQL name their statement time limit differently (seconds vs milliseconds).
  function isMariadb(): Promise<boolean> {
    mariadb ??= adminQuery<{ v: string }>('SELECT VERSION() AS v').then((rows) => String(rows[0].v).includes('MariaDB'));
    return mariadb.catch((error: unknown) => {
      mariadb = undefined;
      throw error;
    });
  }

  /** The host part of the service's account: the identities log in from where it does. */
  function accountHost(): Promise<string> {
    host ??= adminQuery<{ u: string }>('SELECT CURRENT_USER() AS u').then((rows) => {
      const user = String(rows[0].u);
      return user.slice(user.lastIndexOf('@') + 1);
    });
    return host.catch((error: unknown) => {
      host = undefined;
      throw error;
    });
  }

  function notProvisioned(database: string, why: string): EngineError {
    return new EngineError(
      'unavailable',
      `database "${database}" is not provisioned for access through this service (${why}): ` +
        `run \`npx jit-server provision --instance ${instanceId ?? 'ID'}\` and have a DBA apply the script, ` +
        `or give the service's account ALL PRIVILEGES ON *.* WITH GRANT OPTION so it provisions by itself`,
    );
  }

  async function readSchema(database: string): Promise<SchemaTable[]> {
    const rows = await adminQuery<{ t: string; c: string; d: string }>(
      `SELECT c.TABLE_NAME AS t, c.COLUMN_NAME AS c, LOWER(c.DATA_TYPE) AS d
         FROM information_schema.COLUMNS c JOIN information_schema.TABLES t
           ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME
        WHERE c.TABLE_SCHEMA = ? AND t.TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED')
        ORDER BY c.TABLE_NAME, c.ORDINAL_POSITION`,
      [database],
    );
    const tables = new Map<string, SchemaTable>();
    for (const row of rows) {
      let table = tables.get(row.t);
      if (!table) tables.set(row.t, (table = { name: row.t, columns: [] }));
      table.columns.push({ name: row.c, dataType: row.d });
    }
    return [...tables.values()];
  }

  async function plan(database: string, masking: MaskedColumnRule[]): Promise<{ plan: ProvisionPlan; current: string | null; exists: boolean }> {
    const maskDb = maskDatabaseName(database);
    const [tables, hostName, isMaria] = await Promise.all([readSchema(database), accountHost(), isMariadb()]);
    const schemata = await adminQuery<{ n: string; c: string | null }>(
      `SELECT SCHEMA_NAME AS n, ${isMaria ? 'SCHEMA_COMMENT' : 'NULL'} AS c FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN (?, ?)`,
      [database, maskDb],
    );
    const views = await adminQuery<{ t: string }>('SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?', [maskDb]);
    const identities = identityNames(instanceId ?? '', database);
    const names = new Set(tables.map((t) => t.name));
    const passwords = {
      masked: secrets?.password(instanceId ?? '', identities.masked) ?? '',
      unmask: secrets?.password(instanceId ?? '', identities.unmask) ?? '',
    };
    const draft = {
      db: database,
      maskDb,
      host: hostName,
      identities,
      passwords,
      tables,
      staleViews: views.map((v) => v.t).filter((t) => !names.has(t)),
      rules: masking,
      mariadb: isMaria,
    };
    return {
      exists: schemata.some((s) => s.n === database),
      current: schemata.find((s) => s.n === maskDb)?.c ?? null,
      plan: { ...draft, fingerprint: fingerprintOf(draft) },
    };
  }

  async function provision(database: string, masking: MaskedColumnRule[]): Promise<SchemaTable[]> {
    const { plan: p, current, exists } = await plan(database, masking);
    if (!exists) throw new EngineError('not_found', `database "${database}" does not exist`);
    if (current === p.fingerprint) return p.tables;
    const conn = await call<mysql.PoolConnection>((cb) => {
      admin ??= adminPool();
      admin.getConnection(cb);
    });
    try {
      for (const statement of provisionStatements(p)) await call((cb) => conn.query(statement, cb));
    } catch (error) {
      const errno = errnoOf(error);
      throw notProvisioned(database, current === null ? 'no masking database' : `its tables or masking rules changed since it was provisioned; the service's account could not re-provision it (error ${errno ?? 'unknown'})`);
    } finally {
      conn.release();
    }
    return p.tables;
  }

  /** Brings `database`'s provisioning up to date (one at a time per database). */
  function ensure(database: string, masking: MaskedColumnRule[]): Promise<SchemaTable[]> {
    const before = ensuring.get(database) ?? Promise.resolve([]);
    const next = before.catch(() => undefined).then(() => provision(database, masking));
    ensuring.set(database, next);
    void next.finally(() => {
      if (ensuring.get(database) === next) ensuring.delete(database);
    }).catch(() => undefined);
    return next;
  }

  async function target(database: string, scope: RunScope): Promise<Target> {
    const limit = options.maxConnections ?? 5;
    if (!identityMode) {
      // Without identity passwords (an engine made outside the service) statements run as the
      // configured account, which cannot mask: masked data is refused.
      if (!scope.unmask && scope.masking.length > 0) throw notProvisioned(database, 'the engine has no identities to run masked statements as');
      const tables = await readSchema(database);
      const login = config(database);
      return { pool: pool(`\0own:${database}`, login, limit), login, tables: new Set(tables.map((t) => t.name)) };
    }
    const tables = await ensure(database, scope.masking);
    const identities = identityNames(instanceId, database);
    const user = scope.unmask ? identities.unmask : identities.masked;
    const maskDb = scope.unmask ? undefined : maskDatabaseName(database);
    const login = config(maskDb ?? database, { user, password: secrets.password(instanceId, user) });
    return { pool: pool(user, login, limit), login, tables: new Set(tables.map((t) => t.name)), maskDb };
  }

  // Stops a running statement from a separate connection of the same login: its own is busy
  // sending rows, and a login may always stop its own statements.
  async function killQuery(login: mysql.ConnectionOptions, threadId: number | null): Promise<void> {
    if (threadId === null) return;
    const killer = mysql.createConnection(login);
    killer.on('error', () => undefined);
    try {
      await call((cb) => killer.query(`KILL QUERY ${Number(threadId)}`, cb));
    } catch {
      // The statement's connection is destroyed anyway, and the server's time limit ends it.
    } finally {
      killer.destroy();
    }
  }

  /** Which result columns carry masked values: lineage to a masked column, or a computed column of a statement reading a masked table. */
  function maskedColumns(columns: EngineColumn[], sql: string, scope: RunScope): EngineColumn[] {
    if (scope.unmask || scope.masking.length === 0) return columns.map((c) => ({ ...c, masked: false }));
    let reads: boolean | undefined;
    const readsMasked = () => {
      if (reads === undefined) {
        try {
          const tables = gateStatement(sql, 'mysql').tables;
          reads = scope.masking.some((r) => tables.some((t) => ruleFor([r], t, r.column)));
        } catch {
          reads = true;
        }
      }
      return reads;
    };
    return columns.map((c) => ({ ...c, masked: c.source ? ruleFor(scope.masking, c.source.table, c.source.column) !== undefined : readsMasked() }));
  }

  /** The run's session: its time limit, fixed time zone and sql_mode, in a read-only transaction. */
  async function beginRun(conn: Connection, timeoutMs: number): Promise<void> {
    const limit = (await isMariadb())
      ? `max_statement_time = ${Math.max(0.001, timeoutMs / 1000)}`
      : `max_execution_time = ${Math.max(1, Math.ceil(timeoutMs))}`;
    await call((cb) => conn.query(`SET SESSION ${limit}, time_zone = '+00:00', sql_mode = '${RUN_SQL_MODE}'`, cb));
    await call((cb) => conn.query('START TRANSACTION READ ONLY', cb));
  }

  /**
   * What every statement goes through before it reaches the server: the statement guard, the
   * identity it runs as (provisioned), and a connection of that identity.
   */
  async function connectFor(database: string, sql: string, limits: WaitLimits, scope: RunScope) {
    checkDatabaseName(database);
    checkStatement(sql, RULES);
    checkMysqlFunctions(sql);
    const context: { maskDb?: string; provisioned: boolean } = { provisioned: identityMode };
    const fail = (error: unknown) => mysqlError(error, database, limits.timeoutMs, context);
    // Checking (and redoing) the provisioning counts against the statement's limits too.
    const where = await withinLimits(target(database, scope), limits, () => undefined).catch((error: unknown) => {
      throw fail(error);
    });
    context.maskDb = where.maskDb;
    const connecting = call<Connection>((cb) => where.pool.getConnection(cb));
    const conn = await connectWithinLimits(connecting, limits, (c) => c.destroy()).catch((error: unknown) => {
      if (identityMode && errnoOf(error) === 1045) throw notProvisioned(database, 'the server refused the login identity');
      throw fail(error);
    });
    return { where, conn, fail };
  }

  /**
   * The table a failed statement names that `database` does not have. An identity without
   * privileges on a name is told it is denied (1142) whether or not the table exists; the
   * service's account tells which.
   */
  async function unknownTable(database: string, error: unknown): Promise<string | undefined> {
    const message = (error as Error).message ?? '';
    if (errnoOf(error) === 1146) return /Table '(?:[^'.]*\.)?([^']+)' doesn't exist/.exec(message)?.[1];
    if (errnoOf(error) !== 1142) return undefined;
    const denied = /for table `((?:[^`]|``)*)`\.`((?:[^`]|``)*)`/.exec(message);
    if (!denied || denied[1].replace(/``/g, '`') !== database) return undefined;
    const name = denied[2].replace(/``/g, '`');
    const found = await adminQuery('SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND BINARY TABLE_NAME = ?', [database, name]).catch(() => [1]);
    return found.length === 0 ? name : undefined;
  }

  /** Runs `work` on a connection in a run's session, released when it succeeds and dropped when it fails. */
  async function inSession<T>(conn: Connection, limits: WaitLimits, work: () => Promise<T>): Promise<T> {
    let done = false;
    try {
      const value = await withinLimits(
        (async () => {
          await beginRun(conn, limits.timeoutMs);
          const result = await work();
          await call((cb) => conn.query('ROLLBACK', cb));
          return result;
        })(),
        limits,
        () => undefined,
      );
      done = true;
      return value;
    } finally {
      if (done) conn.release();
      else conn.destroy();
    }
  }

  // The run's identity prepares the statement (names resolved and privileges checked as the run
  // would, nothing run); the server's rewrite of it (the note EXPLAIN leaves, code 1003) then
  // names every table it reads as `db`.`table`: aliases resolved, merged views replaced by
  // their base tables, CTEs by what they read — the JSON plan names aliases instead and leaves
  // out tables it optimized away. EXPLAIN runs as the service's own account, in the run's
  // default database: an identity may not EXPLAIN the views it reads through (error 1345).
  async function reads(database: string, sql: string, limits: WaitLimits, scope: RunScope) {
    const { where, conn, fail } = await connectFor(database, sql, limits, scope);
    try {
      await inSession(conn, limits, () => call<Prepared>((cb) => conn.prepare(sql, (err, stmt) => cb(err, stmt as unknown as Prepared))).then((p) => p.close()));
      const explainer = await call<Connection>((cb) => pool(`\0explain:${where.maskDb ?? database}`, config(where.maskDb ?? database), 2).getConnection(cb));
      const explainWord = (await isMariadb()) ? 'EXPLAIN EXTENDED' : 'EXPLAIN';
      const notes = await inSession(explainer, limits, async () => {
        await call((cb) => explainer.query(`${explainWord} ${sql}`, cb));
        return call<{ Code: number; Message: string }[]>((cb) => explainer.query('SHOW WARNINGS', (err, rows) => cb(err, rows as never)));
      });
      return { tables: tablesOfRewrite(notes.filter((n) => Number(n.Code) === 1003).map((n) => n.Message).join('\n')) };
    } catch (error) {
      const name = await unknownTable(database, error);
      if (name !== undefined) throw new UnknownTableError(name, `table "${name}" does not exist in database "${database}"`);
      throw fail(error);
    }
  }

  /** With `encoding`, each batch is encoded straight from the driver's rows (B is EncodedRows); otherwise cells. */
  async function open<B extends Rows>(database: string, sql: string, limits: RunLimits, scope: RunScope, encoding?: RowEncoding): Promise<EngineCursor<B>> {
    const { where, conn, fail } = await connectFor(database, sql, limits, scope);
    let released = false;
    let running = false;
    const release = async (stop: boolean) => {
      if (released) return;
      released = true;
      if (stop || running) {
        void killQuery(where.login, conn.threadId);
        conn.destroy();
        return;
      }
      try {
        await call((cb) => conn.query('ROLLBACK', cb));
        // COM_RESET_CONNECTION: user locks, user variables, session variables, temporary
        // tables and prepared statements end with the run.
        await call((cb) => conn.reset((err) => cb(err, undefined)));
        conn.release();
      } catch {
        conn.destroy();
      }
    };
    const step = sessionSteps(limits, release, fail);
    await step(beginRun(conn, limits.timeoutMs));
    const prepared = await step(call<Prepared>((cb) => conn.prepare(sql, (err, stmt) => cb(err, stmt as unknown as Prepared))));
    if (prepared.columns.length === 0 || prepared.parameters.length > 0) {
      prepared.close();
      await release(false);
      throw new EngineError('read_only', prepared.columns.length === 0 ? 'only a read-only query that returns rows can run' : 'the statement must not have parameters');
    }
    prepared.close();
    const rows = new RowStream(conn, batchSize);
    const fields = new Promise<FieldPacket[]>((resolve, reject) => {
      const query = conn.execute({ sql, values: [], rowsAsArray: true });
      query.once('fields', (f: FieldPacket[]) => resolve(f));
      query.once('error', reject);
      rows.attach(query);
    });
    running = true;
    const described = await step(fields);
    const columns = maskedColumns(
      described.map((f) => ({
        name: f.name,
        type: mysqlTypeName(f),
        source: f.orgTable && f.orgName && where.tables.has(f.orgTable) ? { table: f.orgTable, column: f.orgName } : null,
      })),
      sql,
      scope,
    );
    const cell = mysqlCell(timestampColumns(described));
    const encoder = encoding && new RowEncoder(encoding.format, columns);
    const batches = cappedBatches(limits.maxRows, batchSize, async (n) => ({ rows: await step(rows.take(n)), exhausted: rows.done }));
    const next = async (): Promise<Batch<B>> => {
      const batch = await batches();
      if (batch.done) {
        running = !rows.done;
        await release(false);
      }
      return { ...batch, rows: (encoder ? encoder.encode(batch.rows, cell) : batch.rows.map((row) => row.map(cell))) as B };
    };
    return batchCursor(columns, next, () => release(false));
  }

  return {
    kind: 'mysql',
    open: (database, sql, limits, scope) => open<Cell[][]>(database, sql, limits, scope),
    openEncoded: (database, sql, limits, scope, encoding) => open<EncodedRows>(database, sql, limits, scope, encoding),
    reads,
    async tables(database, limits) {
      checkDatabaseName(database);
      const rows = await withinLimits(
        adminQuery<{ schema: string; table: string }>('SELECT TABLE_SCHEMA AS `schema`, TABLE_NAME AS `table` FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY 2', [database]),
        limits,
        () => undefined,
      ).catch((error: unknown) => {
        throw mysqlError(error, database, limits.timeoutMs);
      });
      return rows.map((r) => ({ schema: String(r.schema), table: String(r.table) }));
    },
    query: (database, sql, limits, scope) => readAll(open<Cell[][]>(database, sql, limits, scope)),
    async provisionScript(databases) {
      const parts = [
        `-- Provisioning of MySQL/MariaDB instance "${instanceId ?? ''}" for Just-in-Time Access.`,
        '-- Run as an account with ALL PRIVILEGES ... WITH GRANT OPTION (e.g. root). It creates a masking',
        '-- database with views per source database, and two login identities per database; it holds',
        '-- the identities\' passwords: handle it like a secret. Re-run it after tables or masking rules change.',
      ];
      for (const { name, masking } of databases) {
        checkDatabaseName(name);
        const { plan: p, exists } = await plan(name, masking);
        if (!exists) throw new EngineError('not_found', `database "${name}" does not exist`);
        parts.push('', `-- database ${name}`, ...provisionStatements(p).map((s) => `${s};`));
      }
      return `${parts.join('\n')}\n`;
    },
    async close() {
      closed = true;
      const all = [...pools.values()];
      pools.clear();
      await Promise.all(all.map((p) => call((cb) => p.end(cb))));
    },
  };
}
