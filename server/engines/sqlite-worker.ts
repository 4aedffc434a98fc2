// Runs SQLite statements in a child process, so a statement past its time limit can be
// stopped by killing the process: the driver cannot interrupt a running statement, and a
// worker thread cannot be terminated while SQLite is busy in native code.
import { EngineError, type Cell, type EngineErrorKind, type MaskedColumnRule } from './engine.js';
import { LEX_MODES, lex, statements } from '../../lang/sql/lexer.js';
import { checkStatement } from './guard.js';
import type { FromWorker, ToWorker, WorkerBatch } from './sqlite-protocol.js';
import { SqliteSession } from './sqlite-session.js';
import { RowEncoder } from './encoded-rows.js';
import { sqlTimestampToRfc3339, toCell } from './values.js';

// Only plain queries. The authorizer (sqlite-session.ts) is what enforces it; this refuses
// other statements up front with a plainer message.
const RULES = { keywords: new Set(['select', 'with', 'values']) };

/** Open connections, by file and masking scope (an unmask run uses one without masking views). */
const sessions = new Map<string, SqliteSession>();
const MAX_SESSIONS = 16;
// The statement is kept with its iterator: the driver finalizes a collected statement under it.
let current: { statement: unknown; rows: Iterator<unknown[]>; temporal: boolean[]; encoder?: RowEncoder } | undefined;

function connect(file: string, unmask: boolean, masking: MaskedColumnRule[]): SqliteSession {
  const rules = unmask ? [] : masking;
  const key = `${file}\n${JSON.stringify(rules)}`;
  let session = sessions.get(key);
  if (!session) {
    session = new SqliteSession(file, rules);
    if (sessions.size >= MAX_SESSIONS) {
      const [oldest, old] = sessions.entries().next().value!;
      sessions.delete(oldest);
      old.close();
    }
    sessions.set(key, session);
  }
  return session;
}

// SQLite integers are 64-bit: exact ones fit a JSON number, larger ones travel as strings.
// SQLite has no date type; text in a column declared as a date or time is given in RFC 3339.
function cell(value: unknown, temporal: boolean): Cell {
  if (typeof value === 'bigint' && value >= Number.MIN_SAFE_INTEGER && value <= Number.MAX_SAFE_INTEGER) return Number(value);
  if (temporal && typeof value === 'string') return sqlTimestampToRfc3339(value);
  return toCell(value);
}

function describe(error: unknown, name: string): { kind: EngineErrorKind; message: string; table?: string } {
  if (error instanceof EngineError) return { kind: error.kind, message: error.message };
  const code = (error as { errcode?: unknown }).errcode;
  const message = error instanceof Error ? error.message : 'statement failed';
  // SQLite names it as the statement spells it, with the schema if one was given.
  const unknown = /^no such table: (?:[^.]+\.)?(.+)$/.exec(message);
  if (unknown) return { kind: 'invalid', message: `${message} in database "${name}"`, table: unknown[1] };
  if (code === 14) return { kind: 'not_found', message: `database "${name}" does not exist` }; // SQLITE_CANTOPEN
  if (typeof code === 'number' && (code & 0xff) === 8) return { kind: 'read_only', message }; // SQLITE_READONLY
  if (code === 26 || code === 11) return { kind: 'unavailable', message: `database "${name}" cannot be read` }; // NOTADB, CORRUPT
  return { kind: 'invalid', message };
}

/**
 * The driver compiles the first statement of a text and ignores the rest: a second statement
 * would never run, but the caller must learn it was not run. Text the lexer cannot read is
 * left to SQLite's own error.
 */
function checkSingleStatement(sql: string): void {
  let count: number;
  try {
    count = statements(lex(sql, LEX_MODES.sqlite[0])).length;
  } catch {
    return;
  }
  if (count > 1) throw new EngineError('read_only', 'only one statement can run at a time');
}

function checkQuery(sql: string): void {
  checkStatement(sql, RULES);
  checkSingleStatement(sql);
}

// Names resolve as on a connection without masking views: a masking view has its table's name.
function reads(msg: Extract<ToWorker, { type: 'reads' }>): FromWorker {
  checkQuery(msg.sql);
  return { type: 'reads', reads: { tables: connect(msg.file, true, []).reads(msg.sql) } };
}

function open(msg: Extract<ToWorker, { type: 'open' }>): FromWorker {
  checkQuery(msg.sql);
  const { statement, readsMasked } = connect(msg.file, msg.unmask, msg.masking).prepare(msg.sql);
  const described = statement.columns();
  if (described.length === 0) throw new EngineError('read_only', 'only a read-only query that returns rows can run');
  const columns = described.map((c) => {
    // A masked column of a masking view is computed by a masking function: it has no origin.
    // Computed columns of a statement that reads a masked column may carry masked values.
    const masked = readsMasked && (c.table === null || c.column === null);
    return {
      name: c.name,
      type: masked ? 'text' : (c.type ?? '').toLowerCase(),
      source: c.table !== null && c.column !== null ? { table: c.table, column: c.column } : null,
      masked,
    };
  });
  statement.setReturnArrays(true);
  statement.setReadBigInts(true);
  current = {
    statement,
    rows: statement.iterate() as Iterator<unknown[]>,
    temporal: columns.map((c) => /date|time/.test(c.type)),
    encoder: msg.encoding && new RowEncoder(msg.encoding.format, columns),
  };
  return { type: 'columns', columns, first: next(msg.max) };
}

// The row cap is the engine's (cursor.ts), as for the other engines: the worker only reads.
// An encoding statement sends each batch as its bytes: copying bytes through the pipe is far
// cheaper than serializing every cell, and the service does not decode them again.
function next(max: number): WorkerBatch {
  const cursor = current;
  if (!cursor) return { type: 'batch', rows: [], exhausted: true };
  const read: unknown[][] = [];
  let exhausted = false;
  while (read.length < max) {
    const step = cursor.rows.next();
    if (step.done) {
      current = undefined;
      exhausted = true;
      break;
    }
    read.push(step.value);
  }
  const convert = (v: unknown, i: number) => cell(v, cursor.temporal[i]);
  const rows = cursor.encoder ? cursor.encoder.encode(read, convert) : read.map((row) => row.map(convert));
  return { type: 'batch', rows, exhausted };
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
    if (msg.type === 'next') return send(next(msg.max));
    openName = msg.name;
    if (msg.type === 'open') send(open(msg));
    else if (msg.type === 'reads') send(reads(msg));
    else send({ type: 'tables', tables: connect(msg.file, true, []).tableNames() });
  } catch (error) {
    close();
    send({ type: 'error', ...describe(error, openName) });
  }
});
// The engine went away: nothing will ask for rows any more.
process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });
