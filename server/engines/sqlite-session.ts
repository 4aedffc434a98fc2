// One read-only SQLite connection scoped to a run: SQLite itself decides what a statement may
// read, through its authorizer (sqlite3_set_authorizer), which is asked about every column
// read, function call, pragma and attach while the statement is prepared. Our parser does not
// take part: whatever SQLite resolves a name to is what is checked.
//
// Masking: every masked table gets two TEMP views. The outer one has the table's name, so it
// shadows the table for unqualified names, and computes the masked columns inside SQLite with
// the functions below; predicates, joins, functions and error messages only ever see masked
// values. It reads the table through an inner view with a random per-connection name. A read
// of a masked column of main.<table> is allowed only when SQLite reports that inner view as
// the read's context (the authorizer's 5th argument: the view or CTE being expanded). A CTE
// cannot take that name without knowing it, and nothing a statement may read tells it.
// A run with `unmask` uses a connection without masking views.
import { randomBytes } from 'node:crypto';
import { DatabaseSync, constants, type DatabaseSyncInstance, type StatementSyncInstance } from '@photostructure/sqlite';
import type { MaskingAlgorithm } from '../config/schema.js';
import { maskValue } from '../masking/algorithms.js';
import { EngineError, type Cell, type MaskedColumnRule, type TableRead } from './engine.js';
import { firstKeyword } from './guard.js';
import { sqlTimestampToRfc3339 } from './values.js';

const {
  SQLITE_OK: OK,
  SQLITE_DENY: DENY,
  SQLITE_SELECT,
  SQLITE_READ,
  SQLITE_FUNCTION,
  SQLITE_RECURSIVE,
  SQLITE_PRAGMA,
  SQLITE_ATTACH,
  SQLITE_DETACH,
} = constants;

/**
 * Functions a statement may call: SQLite's pure scalar, aggregate and window functions.
 * An allowlist: anything else (load_extension, sqlite_offset, fts3_tokenizer, functions of
 * extensions or of the build) is refused when the statement is prepared.
 */
export const ALLOWED_FUNCTIONS: ReadonlySet<string> = new Set([
  // core scalar
  'abs', 'char', 'coalesce', 'concat', 'concat_ws', 'format', 'glob', 'hex', 'if', 'ifnull', 'iif', 'instr',
  'length', 'like', 'likelihood', 'likely', 'lower', 'ltrim', 'max', 'min', 'nullif', 'octet_length', 'printf',
  'quote', 'random', 'randomblob', 'replace', 'round', 'rtrim', 'sign', 'substr', 'substring', 'trim', 'typeof',
  'unhex', 'unicode', 'unistr', 'unistr_quote', 'unlikely', 'upper', 'zeroblob',
  // date and time
  'date', 'time', 'datetime', 'julianday', 'unixepoch', 'strftime', 'timediff', 'current_date', 'current_time',
  'current_timestamp',
  // aggregate
  'avg', 'count', 'group_concat', 'string_agg', 'sum', 'total', 'median', 'percentile', 'percentile_cont',
  'percentile_disc',
  // window
  'row_number', 'rank', 'dense_rank', 'percent_rank', 'cume_dist', 'ntile', 'lag', 'lead', 'first_value',
  'last_value', 'nth_value',
  // math
  'acos', 'acosh', 'asin', 'asinh', 'atan', 'atan2', 'atanh', 'ceil', 'ceiling', 'cos', 'cosh', 'degrees', 'exp',
  'floor', 'ln', 'log', 'log10', 'log2', 'mod', 'pi', 'pow', 'power', 'radians', 'sin', 'sinh', 'sqrt', 'tan',
  'tanh', 'trunc',
  // JSON (-> and ->> are functions too)
  'json', 'jsonb', 'json_array', 'jsonb_array', 'json_array_length', 'json_error_position', 'json_extract',
  'jsonb_extract', 'json_insert', 'jsonb_insert', 'json_object', 'jsonb_object', 'json_patch', 'jsonb_patch',
  'json_pretty', 'json_quote', 'json_remove', 'jsonb_remove', 'json_replace', 'jsonb_replace', 'json_set',
  'jsonb_set', 'json_type', 'json_valid', 'json_group_array', 'jsonb_group_array', 'json_group_object',
  'jsonb_group_object', '->', '->>',
]);

/** Table-valued functions (eponymous virtual tables) a statement may read: pure ones only. */
const ALLOWED_TABLE_FUNCTIONS: ReadonlySet<string> = new Set(['json_each', 'json_tree']);

const MASK_FUNCTION: Record<MaskingAlgorithm, string> = { full: 'jit_mask_full', partial: 'jit_mask_partial', md5: 'jit_mask_md5' };

const STATISTICS = /^sqlite_stat\d*$/i;

// SQLite builds the comparisons of a NATURAL or USING join itself, after name resolution,
// without asking the authorizer about the columns they read: `JOIN main.customers USING
// (email)` would compare a raw masked column unseen. On a connection that masks, the words
// are refused wherever they appear (strings and comments too: a false refusal is the safe
// mistake), matched as SQLite delimits words (identifier characters: letters, digits, _, $
// and anything from U+0080 up).
const JOIN_SYNTHESIS = /(?<![A-Za-z0-9_$\u0080-\uffff])(?:natural|using)(?![A-Za-z0-9_$\u0080-\uffff])/i;

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
const lower = (name: string | null | undefined) => (name ?? '').toLowerCase();

/** A SQLite value as the service's cells carry it, so the masked text matches maskValue() on a result cell. */
function asCell(value: unknown, temporal: boolean): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return value >= Number.MIN_SAFE_INTEGER && value <= Number.MAX_SAFE_INTEGER ? Number(value) : value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (typeof value === 'string') return temporal ? sqlTimestampToRfc3339(value) : value;
  return value as Cell;
}

interface MaskedTable {
  /** The table's name as the schema spells it. */
  table: string;
  /** The inner view's name (random, per connection), lower case. */
  inner: string;
  /** Masked column names, lower case. */
  columns: Set<string>;
}

export interface PreparedRun {
  statement: StatementSyncInstance;
  /** True when the statement reads a masked column of a masking view (SQLite asked about it). */
  readsMasked: boolean;
}

export class SqliteSession {
  readonly db: DatabaseSyncInstance;
  private trusted = true;
  private denial: EngineError | undefined;
  private readsMasked = false;
  /** Whether the statement being prepared is a query: SQLite authorizes a SELECT for every query. */
  private selects = false;
  private schemaVersion: number | undefined;
  /** Tables and views of the main schema (lower case), statistics excluded. */
  private tables = new Set<string>();
  /** By table name, lower case. */
  private masked = new Map<string, MaskedTable>();
  /** Outer view names (lower case) and inner view names, lower case. */
  private outerViews = new Set<string>();
  private innerViews = new Map<string, MaskedTable>();
  private readonly nonce = randomBytes(16).toString('hex');
  /**
   * Masked columns by table (lower case), from the rules themselves: a column the views do not
   * cover yet (added to the table after they were built) is refused too.
   */
  private readonly ruled = new Map<string, Set<string>>();
  /** While `reads` prepares a statement: the tables of the database SQLite asked about, lower case. */
  private recorded: Set<string> | undefined;

  constructor(
    file: string,
    private readonly rules: MaskedColumnRule[],
  ) {
    for (const rule of rules) {
      const table = rule.table.slice(rule.table.lastIndexOf('.') + 1).toLowerCase();
      if (!this.ruled.has(table)) this.ruled.set(table, new Set());
      this.ruled.get(table)!.add(rule.column.toLowerCase());
    }
    this.db = new DatabaseSync(file, { readOnly: true, allowExtension: false, defensive: true });
    for (const [algorithm, name] of Object.entries(MASK_FUNCTION) as [MaskingAlgorithm, string][]) {
      this.db.function(name, { deterministic: true, useBigIntArguments: true }, (value: unknown, temporal: unknown) =>
        maskValue(algorithm, asCell(value, temporal === 1 || temporal === 1n)),
      );
    }
    this.db.setAuthorizer((action: number, p1: string | null, p2: string | null, p3: string | null, p4: string | null) => this.authorize(action, p1, p2, p3, p4));
    this.db.exec('PRAGMA query_only = ON');
    this.trusted = false;
  }

  close(): void {
    this.db.close();
  }

  /** Prepares a user statement under the authorizer; a refusal says why. */
  prepare(sql: string): PreparedRun {
    this.refresh();
    // EXPLAIN prepares the statement under the authorizer but returns its program instead of
    // its rows (names, constants, plans chosen from statistics): not a query.
    if (firstKeyword(sql) === 'explain') throw new EngineError('read_only', 'only a read-only query (SELECT, WITH, VALUES) can run');
    if (this.masked.size > 0 && JOIN_SYNTHESIS.test(sql)) {
      throw new EngineError('invalid', 'NATURAL and USING joins are not allowed on a database with masked columns (SQLite does not check the columns they compare): write the join with ON');
    }
    this.denial = undefined;
    this.readsMasked = false;
    this.selects = false;
    try {
      const statement = this.db.prepare(sql);
      // Statements the authorizer is not asked about (VACUUM, an empty statement) are not queries.
      if (!this.selects) throw new EngineError('read_only', 'only a read-only query (SELECT, WITH, VALUES) can run');
      return { statement, readsMasked: this.readsMasked };
    } catch (error) {
      if (this.denial) throw this.denial;
      throw error;
    } finally {
      this.denial = undefined;
    }
  }

  /**
   * The tables a statement reads, as SQLite resolves its names while preparing it (nothing
   * runs): the columns the authorizer is asked about (base tables behind views, never a CTE),
   * and the tables its program opens — a count(*) or `SELECT 1 FROM t` reads no column, but
   * the row count is data too.
   */
  reads(sql: string): TableRead[] {
    this.recorded = new Set();
    try {
      this.prepare(sql);
      const tables = this.recorded;
      this.asService(() => {
        const program = this.db.prepare(`EXPLAIN ${sql}`).all() as { opcode: string; p2: number; p3: number }[];
        const roots = new Set(program.filter((op) => op.opcode === 'OpenRead' && op.p3 === 0).map((op) => Number(op.p2)));
        const schema = this.db.prepare("SELECT tbl_name, rootpage FROM main.sqlite_schema WHERE type IN ('table', 'index')").all() as { tbl_name: string; rootpage: number }[];
        for (const o of schema) if (roots.has(Number(o.rootpage))) tables.add(o.tbl_name.toLowerCase());
      });
      return [...tables].map((table) => ({ table }));
    } finally {
      this.recorded = undefined;
    }
  }

  /** The database's tables and views, lower case (SQLite compares names case-insensitively). */
  tableNames(): TableRead[] {
    this.refresh();
    return [...this.tables].map((table) => ({ table }));
  }

  /** Our own statements run with the authorizer standing aside. */
  private asService<T>(fn: () => T): T {
    this.trusted = true;
    try {
      return fn();
    } finally {
      this.trusted = false;
    }
  }

  /** Reads the schema and (re)builds the masking views when the database's schema changed. */
  private refresh(): void {
    this.asService(() => {
      const version = Number((this.db.prepare('PRAGMA main.schema_version').get() as { schema_version: number }).schema_version);
      if (version === this.schemaVersion) return;
      const objects = this.db.prepare("SELECT name FROM main.sqlite_schema WHERE type IN ('table', 'view')").all() as { name: string }[];
      this.tables = new Set(objects.map((o) => o.name.toLowerCase()).filter((n) => !STATISTICS.test(n)));
      this.buildViews(objects.map((o) => o.name));
      this.schemaVersion = version;
    });
  }

  private buildViews(names: string[]): void {
    const drops = [...this.outerViews, ...this.innerViews.keys()].map((v) => `DROP VIEW IF EXISTS temp.${quote(v)};`);
    this.masked.clear();
    this.outerViews.clear();
    this.innerViews.clear();
    const creates: string[] = [];
    const bare = (table: string) => table.slice(table.lastIndexOf('.') + 1).toLowerCase();
    for (const table of names) {
      const rules = this.rules.filter((r) => bare(r.table) === table.toLowerCase());
      if (rules.length === 0 || STATISTICS.test(table)) continue;
      // hidden: 0 ordinary, 1 hidden column of a virtual table, 2/3 generated columns.
      const columns = (this.db.prepare(`SELECT name, type, hidden FROM pragma_table_xinfo(?, 'main')`).all(table) as { name: string; type: string; hidden: number }[]).filter(
        (c) => c.hidden !== 1,
      );
      const maskedColumns = new Set<string>();
      const select = columns.map((c) => {
        const rule = rules.find((r) => r.column.toLowerCase() === c.name.toLowerCase());
        if (!rule) return quote(c.name);
        maskedColumns.add(c.name.toLowerCase());
        const temporal = /date|time/i.test(c.type) ? 1 : 0;
        return `${MASK_FUNCTION[rule.algorithm]}(${quote(c.name)}, ${temporal}) AS ${quote(c.name)}`;
      });
      if (maskedColumns.size === 0) continue;
      const inner = `jit_${this.nonce}_${this.masked.size}`;
      const entry: MaskedTable = { table, inner, columns: maskedColumns };
      this.masked.set(table.toLowerCase(), entry);
      this.outerViews.add(table.toLowerCase());
      this.innerViews.set(inner, entry);
      creates.push(
        `CREATE TEMP VIEW ${quote(inner)} AS SELECT ${columns.map((c) => quote(c.name)).join(', ')} FROM main.${quote(table)};`,
        `CREATE TEMP VIEW ${quote(table)} AS SELECT ${select.join(', ')} FROM temp.${quote(inner)};`,
      );
    }
    if (drops.length === 0 && creates.length === 0) return;
    this.db.exec('PRAGMA query_only = OFF');
    try {
      this.db.exec(drops.join('\n') + creates.join('\n'));
    } finally {
      this.db.exec('PRAGMA query_only = ON');
    }
  }

  private deny(kind: EngineError['kind'], message: string): number {
    this.denial ??= new EngineError(kind, message);
    return DENY;
  }

  private authorize(action: number, p1: string | null, p2: string | null, p3: string | null, context: string | null): number {
    if (this.trusted) return OK;
    switch (action) {
      case SQLITE_SELECT:
        this.selects = true;
        return OK;
      case SQLITE_RECURSIVE:
        return OK;
      case SQLITE_READ:
        return this.read(p1 ?? '', p2 ?? '', p3 ?? '', context);
      case SQLITE_FUNCTION:
        return this.call(lower(p2), context);
      case SQLITE_PRAGMA:
        return this.deny('read_only', `PRAGMA ${p1 ?? ''} is not allowed: a statement may only read data`);
      case SQLITE_ATTACH:
      case SQLITE_DETACH:
        return this.deny('read_only', 'ATTACH and DETACH are not allowed: a statement reads only its own database');
      default:
        return this.deny('read_only', 'only a read-only query (SELECT, WITH, VALUES) can run');
    }
  }

  private read(table: string, column: string, database: string, context: string | null): number {
    if (database === 'main') this.recorded?.add(table.toLowerCase());
    // A table named in FROM but none of its columns used: no value is read (SQLite passes "" as the column).
    if (column === '') return OK;
    const name = table.toLowerCase();
    if (database === 'temp') {
      // Our masking views: the outer ones by anyone, an inner one only from its outer view.
      if (this.outerViews.has(name)) {
        if (this.masked.get(name)?.columns.has(column.toLowerCase())) this.readsMasked = true;
        return OK;
      }
      const inner = this.innerViews.get(name);
      if (inner && lower(context) === inner.table.toLowerCase()) return OK;
      return this.deny('invalid', `${table} cannot be read: the connection's temporary schema is not part of the database`);
    }
    if (database !== 'main') return this.deny('invalid', `${database}.${table} cannot be read: a statement reads only its own database`);
    if (STATISTICS.test(table)) {
      return this.deny('invalid', `${table} cannot be read: the planner's statistics hold sampled values of the data`);
    }
    const masked = this.masked.get(name);
    if (this.ruled.get(name)?.has(column.toLowerCase()) && (!masked || lower(context) !== masked.inner)) {
      const through = context ? ` (read through ${context})` : '';
      return this.deny(
        'invalid',
        `${table}.${column} is masked${through}: read it through the masking view ${masked?.table ?? table} (the table's name without "main."), which returns masked values`,
      );
    }
    if (this.tables.has(name) || ALLOWED_TABLE_FUNCTIONS.has(name)) return OK;
    if (name.startsWith('pragma_')) return this.deny('read_only', `${table} is not allowed: pragmas are not part of a query`);
    return this.deny('invalid', `${table} cannot be read by a statement`);
  }

  private call(name: string, context: string | null): number {
    if (ALLOWED_FUNCTIONS.has(name)) return OK;
    if (Object.values(MASK_FUNCTION).includes(name)) {
      if (this.outerViews.has(lower(context))) return OK;
      return this.deny('invalid', `${name}() is used by masking views only`);
    }
    return this.deny('invalid', `${name}() is not allowed: only SQLite's built-in scalar, aggregate, window, date, math and JSON functions can be called`);
  }
}
