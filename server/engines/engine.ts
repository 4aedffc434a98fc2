// The one interface every database engine implements. The domain talks only to this;
// engines know nothing about grants, users or masking policy.

import type { MaskingAlgorithm } from '../config/schema.js';
import type { EncodedRows, RowEncoding } from './encoded-rows.js';
import type { IdentitySecrets } from './identity-secrets.js';

export type EngineKind = 'sqlite' | 'postgres' | 'mysql';

/** A masked column of one database, named as its masking rule names it (table bare or "schema.table"). */
export interface MaskedColumnRule {
  table: string;
  column: string;
  algorithm: MaskingAlgorithm;
}

/**
 * On whose behalf a statement runs. Engines enforce it with the database's own access
 * control, not by reading the statement: without `unmask` a run may read masked columns only
 * through masking views, so predicates, joins, functions and error messages see masked values.
 */
export interface RunScope {
  unmask: boolean;
  /** The masking rules of the database the statement runs on. */
  masking: MaskedColumnRule[];
}

/** Where a result column's values come from, when the driver can tell. */
export interface ColumnSource {
  table: string;
  column: string;
  /** The table's schema where the engine has schemas (PostgreSQL); absent otherwise. */
  schema?: string;
}

export interface EngineColumn {
  name: string;
  /** The engine's own type name, lower case ("integer", "text", "numeric", …); "" if unknown. */
  type: string;
  /**
   * Lineage reported by the driver: the base table column this result column is a plain
   * copy of. `null` when the column is computed (an expression, an aggregate) or the driver
   * cannot tell — masking then falls back to what the statement reads (fail closed).
   */
  source: ColumnSource | null;
  /** True when the engine masked this column's values (set by engines that mask). */
  masked?: boolean;
}

export interface RunLimits {
  /**
   * Statement time limit; exceeded → EngineError kind "timeout". It bounds every wait on the
   * engine (starting the statement, each batch), so a stream paused by a slow reader is not
   * cut for the reader's time; the server enforces it too (PostgreSQL per fetch, MySQL over
   * the whole statement).
   */
  timeoutMs: number;
  /** Rows to return at most; more rows set `truncated`. */
  maxRows: number;
  /** Aborting stops the statement on the server (client went away). */
  signal?: AbortSignal;
}

/** Limits of work that returns no rows. */
export type WaitLimits = Pick<RunLimits, 'timeoutMs' | 'signal'>;

/** JSON-safe cell: bigints and decimals as strings, dates RFC 3339, bytes base64. */
export type Cell = string | number | boolean | null;

export interface EngineResult {
  columns: EngineColumn[];
  rows: Cell[][];
  truncated: boolean;
}

/** A result read incrementally: columns first, then rows in batches, with back-pressure. */
export interface EngineCursor<B = Cell[][]> {
  columns: EngineColumn[];
  /** Yields batches of rows until the statement is exhausted or `maxRows` is reached. */
  batches(): AsyncIterable<B>;
  /** After `batches()` ended: true when it stopped at `maxRows` with more rows left. */
  readonly truncated: boolean;
  /** Stops the statement and releases its connection; safe to call more than once. */
  close(): Promise<void>;
}

/** A cursor whose batches the engine encoded (encoded-rows.ts). */
export type EncodedCursor = EngineCursor<EncodedRows>;

export type EngineErrorKind =
  | 'timeout' // statement ran past its limit
  | 'unavailable' // cannot connect / server down
  | 'not_found' // database does not exist
  | 'read_only' // the engine refused a write
  | 'invalid' // the engine refused the statement (syntax, unknown column, …)
  | 'aborted'; // the caller aborted

/**
 * Raised by engines with a message safe to show a user: no driver internals, no
 * connection strings, no data values.
 */
export class EngineError extends Error {
  constructor(
    readonly kind: EngineErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

/** A table as the engine resolved a name the statement reads: views followed to their base tables. */
export interface TableRead {
  /** The table's schema (PostgreSQL) or database (MySQL); absent where there is one namespace (SQLite). */
  schema?: string;
  /** As the catalog spells it, folded the way the engine compares names (SQLite: lower case). */
  table: string;
}

/**
 * What a statement reads, as the engine resolves it, or why the engine cannot tell: a function
 * that runs SQL or reads a relation named in text reads tables no plan shows.
 */
export type StatementReads = { tables: TableRead[] } | { unknown: string };

/** The engine refused the statement because a name in it is no table or view of the database. */
export class UnknownTableError extends EngineError {
  constructor(
    /** The name as the statement spells it (unquoted), for finding it in the text. */
    readonly table: string,
    message: string,
  ) {
    super('invalid', message);
  }
}

/** How an engine on a database server (PostgreSQL, MySQL) is created. */
export interface ServerEngineOptions {
  /**
   * Server URL of the service's own account; its database part is replaced by the database
   * each statement names. User statements never run as this account.
   */
  url: string;
  /** The instance's id, which names the identities provisioned for it. */
  instanceId?: string;
  /** Passwords of the identities statements run as. */
  secrets?: IdentitySecrets;
  /** Connections per database. Default 5. */
  maxConnections?: number;
  /** Rows per batch. Default 1000. */
  batchSize?: number;
}

export interface Engine {
  readonly kind: EngineKind;
  /** Runs one read-only statement in a read-only session and returns at most maxRows rows. */
  query(database: string, sql: string, limits: RunLimits, scope: RunScope): Promise<EngineResult>;
  /** Like query, but streams rows (for exports of up to maxRows rows). */
  open(database: string, sql: string, limits: RunLimits, scope: RunScope): Promise<EngineCursor>;
  /**
   * Like open, with each batch encoded next to the driver as `encoding` asks, so the service
   * passes the bytes on without decoding them. Without it the service encodes the cells of
   * `open` (cursor.ts, openEncoded).
   */
  openEncoded?(database: string, sql: string, limits: RunLimits, scope: RunScope, encoding: RowEncoding): Promise<EncodedCursor>;
  /**
   * The tables a statement would read on `database`, resolved by the engine (plan or
   * authorizer) without running it, as the identity that `scope` runs as. An unknown table is
   * an UnknownTableError; other refusals are EngineErrors like those of `query`.
   */
  reads(database: string, sql: string, limits: WaitLimits, scope: RunScope): Promise<StatementReads>;
  /** The tables and views of a database, named as `reads` names them. */
  tables(database: string, limits: WaitLimits): Promise<TableRead[]>;
  /**
   * The SQL a DBA runs to provision this instance's identities, masking views and privileges
   * on the given databases (for `jit-server provision`), where the service's own account may
   * not. Engines without provisioning leave it out.
   */
  provisionScript?(databases: { name: string; masking: MaskedColumnRule[] }[]): Promise<string>;
  /** Closes pools, workers and connections. */
  close(): Promise<void>;
}
