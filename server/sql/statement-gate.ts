// The request-time gate: exactly one read-only statement, in the target engine's dialect.
// It is not the security boundary (the engines enforce read-only again at run time), but it
// refuses everything it can, early, with a message and a position the user can act on.
import { createRequire } from 'node:module';
import type { EngineKind } from '../engines/engine.js';
import { invalid } from '../domain/errors.js';
import { calledFunctions, LEX_MODES, lex, LexError, statements, type Token } from '../../lang/sql/lexer.js';

const require = createRequire(import.meta.url);

interface SqlParser {
  parse(sql: string, opt: { database: string }): { ast: unknown; tableList: string[]; columnList: string[] };
}

const PARSER_MODULE: Record<EngineKind, { module: string; database: string }> = {
  sqlite: { module: 'node-sql-parser/build/sqlite', database: 'sqlite' },
  postgres: { module: 'node-sql-parser/build/postgresql', database: 'postgresql' },
  mysql: { module: 'node-sql-parser/build/mariadb', database: 'mariadb' },
};

const parsers = new Map<EngineKind, SqlParser>();
function parserFor(kind: EngineKind): SqlParser {
  let parser = parsers.get(kind);
  // Stryker disable next-line ConditionalExpression: the parsers are stateless; building one per statement only costs time.
  if (!parser) {
    const { Parser } = require(PARSER_MODULE[kind].module) as { Parser: new () => SqlParser };
    parser = new Parser();
    parsers.set(kind, parser);
  }
  return parser;
}

// Functions with effects beyond reading: writes, sessions, files, other servers, sleeps.
const SIDE_EFFECT_FUNCTIONS = new Set([
  // PostgreSQL
  'set_config', 'nextval', 'setval', 'pg_sleep', 'pg_sleep_for', 'pg_sleep_until', 'pg_terminate_backend',
  'pg_cancel_backend', 'pg_reload_conf', 'pg_rotate_logfile', 'pg_switch_wal', 'pg_create_restore_point',
  'pg_promote', 'pg_notify', 'lo_import', 'lo_export', 'lo_unlink', 'lo_create', 'lo_creat', 'lo_put', 'lo_from_bytea',
  'pg_read_file', 'pg_read_binary_file', 'pg_ls_dir', 'pg_stat_file', 'pg_file_write', 'pg_advisory_lock',
  'pg_advisory_xact_lock', 'pg_try_advisory_lock', 'pg_try_advisory_xact_lock', 'pg_advisory_lock_shared',
  'dblink', 'dblink_exec', 'dblink_connect', 'dblink_send_query', 'query_to_xml', 'txid_current', 'pg_current_xact_id',
  'pg_logical_emit_message', 'pg_replication_origin_create', 'pg_drop_replication_slot', 'pg_create_logical_replication_slot',
  // MySQL / MariaDB
  'load_file', 'sleep', 'benchmark', 'get_lock', 'release_lock', 'release_all_locks', 'master_pos_wait',
  'source_pos_wait', 'sys_exec', 'sys_eval',
  // SQLite
  'load_extension', 'readfile', 'writefile', 'edit', 'fts3_tokenizer',
]);

// Clauses that take locks or write even inside a SELECT.
const FORBIDDEN_SEQUENCES: { words: string[]; message: string }[] = [
  { words: ['for', 'update'], message: 'SELECT … FOR UPDATE takes row locks' },
  { words: ['for', 'share'], message: 'SELECT … FOR SHARE takes row locks' },
  { words: ['for', 'no', 'key', 'update'], message: 'SELECT … FOR NO KEY UPDATE takes row locks' },
  { words: ['for', 'key', 'share'], message: 'SELECT … FOR KEY SHARE takes row locks' },
  { words: ['lock', 'in', 'share', 'mode'], message: 'LOCK IN SHARE MODE takes row locks' },
  { words: ['into', 'outfile'], message: 'SELECT … INTO OUTFILE writes a file' },
  { words: ['into', 'dumpfile'], message: 'SELECT … INTO DUMPFILE writes a file' },
];

export interface CheckedStatement {
  /** Tables the statement reads, without schema, in first-seen order. */
  tables: string[];
  /** Columns the statement reads; table null when unqualified; column "*" for a star. */
  columns: { table: string | null; column: string }[];
  /**
   * Whether a set operation (UNION, INTERSECT, EXCEPT) appears anywhere: drivers report
   * lineage from its first branch only, so masking must not trust it.
   */
  compound: boolean;
}

const SET_OPERATORS = new Set(['union', 'intersect', 'except', 'minus']);

export const MAX_STATEMENT_LENGTH = 100_000;

export function position(sql: string, offset: number) {
  const before = sql.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

function refuse(sql: string, message: string, offset?: number): never {
  if (offset === undefined) throw invalid(message, { field: 'statement' });
  const pos = position(sql, offset);
  throw invalid(`${message} (line ${pos.line}, column ${pos.column})`, { field: 'statement', ...pos });
}

function checkTokens(sql: string, tokens: Token[]): void {
  const stmts = statements(tokens);
  if (stmts.length === 0) refuse(sql, 'The statement is empty');
  if (stmts.length > 1) refuse(sql, 'Only one statement is allowed per request', stmts[1][0].offset);
  const executable = tokens.find((t) => t.kind === 'executable-comment');
  if (executable) refuse(sql, 'MySQL executable comments (/*! … */) are not allowed', executable.offset);
  for (const fn of calledFunctions(tokens)) {
    if (SIDE_EFFECT_FUNCTIONS.has(fn.name.toLowerCase())) {
      refuse(sql, `The function ${fn.name}() has side effects and is not allowed in a read-only request`, fn.offset);
    }
  }
  const words = stmts[0].filter((t) => t.kind === 'word');
  for (let i = 0; i < words.length; i++) {
    for (const seq of FORBIDDEN_SEQUENCES) {
      if (seq.words.every((w, k) => words[i + k]?.text.toLowerCase() === w)) refuse(sql, `${seq.message} and is not allowed`, words[i].offset);
    }
  }
}

interface AstNode {
  type?: string;
  into?: { position?: string | null };
  with?: { stmt?: { ast?: AstNode } | AstNode }[] | null;
  _next?: AstNode;
}

// The parser's AST has no offsets, so a refusal points at the first word that names what is
// refused (e.g. the DELETE inside a CTE), or else at the statement's start.
function wordOffset(words: Token[], word: string): number {
  return (words.find((w) => w.text.toLowerCase() === word) ?? words[0])?.offset ?? 0;
}

function checkSelect(sql: string, node: AstNode, words: Token[]): void {
  if (node.type !== 'select') {
    const type = node.type ?? 'unknown';
    refuse(sql, `Only read-only SELECT statements are allowed, but this is ${type.toUpperCase()}`, wordOffset(words, type));
  }
  if (node.into?.position) refuse(sql, 'SELECT … INTO creates or writes a table and is not allowed', wordOffset(words, 'into'));
  for (const cte of node.with ?? []) {
    const inner = (cte.stmt as { ast?: AstNode })?.ast ?? (cte.stmt as AstNode);
    if (inner) checkSelect(sql, inner, words);
  }
  if (node._next) checkSelect(sql, node._next, words);
}

const unique = <T>(xs: T[]) => [...new Set(xs)];

const shape = (tokens: Token[]) => tokens.map((t) => `${t.kind}@${t.offset}+${t.text.length}`).join(' ');

function firstDifference(a: Token[], b: Token[]): number {
  const i = a.findIndex((t, k) => t.offset !== b[k]?.offset || t.kind !== b[k]?.kind || t.text.length !== b[k]?.text.length);
  return (i === -1 ? b[a.length] : a[i])?.offset ?? 0;
}

const blank = (text: string) => text.replace(/[^\n]/g, ' ');

/**
 * The statement as the parser is given it, at the same offsets: string contents and
 * PostgreSQL's ONLY blanked (to MySQL and SQLite "only" is a name), and MySQL's `--` that
 * starts no comment (no space after it) split, so the parser's fixed ideas of comments and
 * escapes cannot hide code the engine reads, or read a keyword as a table.
 */
function parserText(sql: string, tokens: Token[], postgres: boolean): string {
  let out = '';
  let at = 0;
  const replace = (from: number, to: number, text: string) => {
    out += sql.slice(at, from) + text;
    at = to;
  };
  tokens.forEach((t, i) => {
    const prev = tokens[i - 1];
    if (t.kind === 'punct' && t.text === '-' && prev?.kind === 'punct' && prev.text === '-' && prev.offset + 1 === t.offset) {
      replace(t.offset, t.offset + 1, ' ');
    } else if (postgres && t.kind === 'word' && /^only$/i.test(t.text) && prev && /^(from|join|,)$/i.test(prev.text)) {
      replace(t.offset, t.offset + t.text.length, blank(t.text));
    } else if (t.kind === 'string') {
      const delimiter = t.text.startsWith('$') ? /^\$[A-Za-z0-9_\u0080-\uffff]*\$/.exec(t.text)![0].length : 1;
      const opening = /^u&/i.test(t.text) ? 3 : delimiter;
      if (t.text.length < opening + delimiter) return;
      replace(t.offset + opening, t.offset + t.text.length - delimiter, ' '.repeat(t.text.length - opening - delimiter));
    }
  });
  return out + sql.slice(at);
}

interface FromItem {
  table?: unknown;
  db?: unknown;
}

/** Names of the tables a piece of the AST names in FROM (lower case). */
function namedTables(node: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(node)) for (const item of node) namedTables(item, out);
  else if (node && typeof node === 'object') {
    const item = node as FromItem;
    if (typeof item.table === 'string' && 'db' in item) out.add(item.table.toLowerCase());
    for (const value of Object.values(node)) namedTables(value, out);
  }
  return out;
}

/**
 * CTE names the parser listed as tables. A CTE's name names the CTE only after its definition:
 * in its own body or an earlier CTE's (a recursive reference aside) it is the table's.
 */
function cteNames(ast: AstNode): Set<string> {
  const ctes = (ast.with ?? []) as { name?: { value?: string }; stmt?: unknown }[];
  const out = new Set<string>();
  ctes.forEach((cte, i) => {
    const name = cte.name?.value?.toLowerCase();
    if (name && !ctes.slice(0, i + 1).some((c) => namedTables(c.stmt).has(name))) out.add(name);
  });
  return out;
}

// Every run of a grant re-reads its approved statement for masking; the check is a pure
// function of the text, so accepted statements are remembered (a bounded, oldest-first cache).
const accepted = new Map<string, CheckedStatement>();
const ACCEPTED_MAX = 1000;

/**
 * Forgets the accepted statements and the parsers. For tests that change the gate's code
 * between checks (a mutation run): a remembered answer would hide the changed code.
 */
export function resetStatementGate(): void {
  accepted.clear();
  parsers.clear();
}

/** Checks a statement for the given engine; throws INVALID_ARGUMENT with a position if refused. */
export function checkStatement(sql: string, kind: EngineKind): CheckedStatement {
  const key = `${kind}\n${sql}`;
  const known = accepted.get(key);
  // Stryker disable next-line ConditionalExpression: checking again is a pure function of the text; the cache only saves time.
  if (known) return known;
  const result = check(sql, kind);
  // Stryker disable next-line ConditionalExpression,EqualityOperator: the bound changes only how much is remembered, never an answer.
  if (accepted.size >= ACCEPTED_MAX) accepted.delete(accepted.keys().next().value!);
  accepted.set(key, result);
  return result;
}

function check(sql: string, kind: EngineKind): CheckedStatement {
  if (sql.length > MAX_STATEMENT_LENGTH) refuse(sql, `The statement is longer than ${MAX_STATEMENT_LENGTH} characters`);
  let compound = false;
  let words: Token[] = [];
  const readings: Token[][] = [];
  for (const mode of LEX_MODES[kind]) {
    let tokens: Token[];
    try {
      tokens = lex(sql, mode);
    } catch (err) {
      if (err instanceof LexError) refuse(sql, `The statement has an ${err.message}`, err.offset);
      throw err;
    }
    checkTokens(sql, tokens);
    readings.push(tokens);
    words = tokens.filter((t) => t.kind === 'word');
    compound ||= tokens.some((t) => t.kind === 'word' && SET_OPERATORS.has(t.text.toLowerCase()));
  }
  // Every reading of the escape settings must see the same tokens, and the parser is given
  // the statement with the contents of its strings blanked: the parser has its own fixed idea
  // of backslash escapes, and where it differs from the engine's ("'\'" is a whole string to
  // SQLite) it would read SQL as string content and miss the tables it reads — which the
  // approval rules route on and masking falls back to.
  const divergent = readings.slice(1).find((other) => shape(other) !== shape(readings[0]));
  if (divergent) {
    refuse(sql, 'The statement reads differently depending on the server\'s string-escape setting (a backslash before a quote); write the string without it', firstDifference(readings[0], divergent));
  }
  let parsed: ReturnType<SqlParser['parse']>;
  try {
    parsed = parserFor(kind).parse(parserText(sql, readings[0], kind === 'postgres'), { database: PARSER_MODULE[kind].database });
  } catch (err) {
    const e = err as { message?: string; location?: { start?: { offset: number } } };
    const found = /but (.*) found/.exec(e.message ?? '')?.[1];
    const what = found === 'end of input' ? 'unexpected end of statement' : found ? `unexpected ${found}` : 'not valid SQL';
    refuse(sql, `The statement could not be parsed as ${kind} SQL: ${what}`, e.location?.start?.offset ?? 0);
  }
  const asts = (Array.isArray(parsed.ast) ? parsed.ast : [parsed.ast]) as AstNode[];
  if (asts.length !== 1) refuse(sql, 'Only one statement is allowed per request');
  checkSelect(sql, asts[0], words);
  const ctes = cteNames(asts[0]);
  const tables = unique(parsed.tableList.map((t) => t.split('::')[2]).filter((t) => t && !ctes.has(t.toLowerCase())));
  const columns = unique(parsed.columnList).map((c) => {
    const [, table, column] = c.split('::');
    return { table: table === 'null' ? null : table, column: column === '(.*)' ? '*' : column };
  });
  return { tables, columns, compound };
}
