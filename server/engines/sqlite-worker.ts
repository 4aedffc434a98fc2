// Runs SQLite statements in a child process, so a statement past its time limit can be
// stopped by killing the process: better-sqlite3 cannot interrupt a running statement, and a
// worker thread cannot be terminated while SQLite is busy in native code.
import Database from 'better-sqlite3';
import { EngineError, type Cell, type EngineErrorKind } from './engine.js';
import { checkStatement } from './guard.js';
import type { FromWorker, ToWorker } from './sqlite-protocol.js';
import { sqlTimestampToRfc3339, toCell } from './values.js';

// Only plain queries: ATTACH, PRAGMA and transaction control are read-only to SQLite
// (they do not write the file) but change what the connection can see or do.
// load_extension() needs no rule: better-sqlite3 leaves the SQL function disabled.
const RULES = { keywords: new Set(['select', 'with', 'values']) };

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

// SQLite integers are 64-bit: exact ones fit a JSON number, larger ones travel as strings.
// SQLite has no date type; text in a column declared as a date or time is given in RFC 3339.
function cell(value: unknown, temporal: boolean): Cell {
  if (typeof value === 'bigint' && value >= Number.MIN_SAFE_INTEGER && value <= Number.MAX_SAFE_INTEGER) return Number(value);
  if (temporal && typeof value === 'string') return sqlTimestampToRfc3339(value);
  return toCell(value);
}

function describe(error: unknown, name: string): { kind: EngineErrorKind; message: string } {
  if (error instanceof EngineError) return { kind: error.kind, message: error.message };
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : 'statement failed';
  if (code === 'SQLITE_CANTOPEN') return { kind: 'not_found', message: `database "${name}" does not exist` };
  if (typeof code === 'string' && code.startsWith('SQLITE_READONLY')) return { kind: 'read_only', message };
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') return { kind: 'unavailable', message: `database "${name}" cannot be read` };
  return { kind: 'invalid', message };
}

function open(msg: Extract<ToWorker, { type: 'open' }>): FromWorker {
  checkStatement(msg.sql, RULES);
  const stmt = connect(msg.file).prepare(msg.sql);
  if (!stmt.readonly || !stmt.reader) throw new EngineError('read_only', 'only a read-only query that returns rows can run');
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

function send(msg: FromWorker): void {
  if (process.connected) process.send!(msg);
}

let openName = '';
process.on('message', (msg: ToWorker) => {
  if (msg.type === 'close') return close();
  try {
    if (msg.type === 'open') openName = msg.name;
    send(msg.type === 'open' ? open(msg) : next());
  } catch (error) {
    close();
    send({ type: 'error', ...describe(error, openName) });
  }
});
// The engine went away: nothing will ask for rows any more.
process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });
