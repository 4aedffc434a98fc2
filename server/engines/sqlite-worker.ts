// Runs SQLite statements off the main thread, so a statement past its time limit can be
// stopped by terminating the thread: better-sqlite3 cannot interrupt a running statement.
import { parentPort } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { Cell, EngineErrorKind } from './engine.js';
import type { FromWorker, ToWorker } from './sqlite-protocol.js';
import { sqlTimestampToRfc3339, toCell } from './values.js';

// Only plain queries: ATTACH, PRAGMA and transaction control are read-only to SQLite
// (they do not write the file) but change what the connection can see or do.
const QUERY_KEYWORDS = new Set(['select', 'with', 'values']);

const connections = new Map<string, Database.Database>();
let current: { rows: Iterator<unknown[]>; temporal: boolean[]; left: number; batchSize: number } | undefined;

function connect(file: string): Database.Database {
  let db = connections.get(file);
  if (!db) {
    db = new Database(file, { readonly: true, fileMustExist: true });
    db.pragma('query_only = ON');
    connections.set(file, db);
  }
  return db;
}

function firstKeyword(sql: string): string {
  const rest = sql.replace(/^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*/, '');
  return (/^[a-z]+/i.exec(rest)?.[0] ?? '').toLowerCase();
}

// SQLite integers are 64-bit: exact ones fit a JSON number, larger ones travel as strings.
// SQLite has no date type; text in a column declared as a date or time is given in RFC 3339.
function cell(value: unknown, temporal: boolean): Cell {
  if (typeof value === 'bigint' && value >= Number.MIN_SAFE_INTEGER && value <= Number.MAX_SAFE_INTEGER) return Number(value);
  if (temporal && typeof value === 'string') return sqlTimestampToRfc3339(value);
  return toCell(value);
}

class Refused extends Error {
  constructor(
    readonly kind: EngineErrorKind,
    message: string,
  ) {
    super(message);
  }
}

function describe(error: unknown, name: string): { kind: EngineErrorKind; message: string } {
  if (error instanceof Refused) return { kind: error.kind, message: error.message };
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : 'statement failed';
  if (code === 'SQLITE_CANTOPEN') return { kind: 'not_found', message: `database "${name}" does not exist` };
  if (typeof code === 'string' && code.startsWith('SQLITE_READONLY')) return { kind: 'read_only', message };
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') return { kind: 'unavailable', message: `database "${name}" cannot be read` };
  return { kind: 'invalid', message };
}

function open(msg: Extract<ToWorker, { type: 'open' }>): FromWorker {
  if (!QUERY_KEYWORDS.has(firstKeyword(msg.sql))) {
    throw new Refused('read_only', 'only a read-only query (SELECT, WITH or VALUES) can run');
  }
  const stmt = connect(msg.file).prepare(msg.sql);
  if (!stmt.readonly || !stmt.reader) throw new Refused('read_only', 'only a read-only query that returns rows can run');
  const columns = stmt.columns().map((c) => ({
    name: c.name,
    type: (c.type ?? '').toLowerCase(),
    source: c.table !== null && c.column !== null ? { table: c.table, column: c.column } : null,
  }));
  current = {
    rows: stmt.raw(true).safeIntegers(true).iterate() as Iterator<unknown[]>,
    temporal: columns.map((c) => /date|time/.test(c.type)),
    left: msg.maxRows,
    batchSize: msg.batchSize,
  };
  return { type: 'columns', columns };
}

function next(): FromWorker {
  const cursor = current;
  if (!cursor) return { type: 'batch', rows: [], done: true, truncated: false };
  const rows: Cell[][] = [];
  while (rows.length < cursor.batchSize && cursor.left > 0) {
    const step = cursor.rows.next();
    if (step.done) {
      current = undefined;
      return { type: 'batch', rows, done: true, truncated: false };
    }
    rows.push(step.value.map((v, i) => cell(v, cursor.temporal[i])));
    cursor.left--;
  }
  if (cursor.left > 0) return { type: 'batch', rows, done: false, truncated: false };
  const truncated = !cursor.rows.next().done;
  close();
  return { type: 'batch', rows, done: true, truncated };
}

function close(): void {
  current?.rows.return?.();
  current = undefined;
}

let openName = '';
parentPort!.on('message', (msg: ToWorker) => {
  if (msg.type === 'close') return close();
  try {
    if (msg.type === 'open') openName = msg.name;
    parentPort!.postMessage(msg.type === 'open' ? open(msg) : next());
  } catch (error) {
    close();
    parentPort!.postMessage({ type: 'error', ...describe(error, openName) } satisfies FromWorker);
  }
});
parentPort!.postMessage({ type: 'ready' } satisfies FromWorker);
