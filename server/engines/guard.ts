// Checks an engine makes before a statement reaches the database. The read-only session is
// the real protection; these refuse, up front, what a read-only session would still allow:
// statements that change the session itself, and functions that act outside the transaction
// (signal other sessions, read or write server files, open connections, run SQL text).
import { lex, LexError, statements, type LexOptions } from '../../lang/sql/lexer.js';
import { EngineError } from './engine.js';

const DATABASE_NAME = /^[A-Za-z0-9_$-]{1,128}$/;

/** A database name is a plain identifier, so it can never name a path or another server. */
export function checkDatabaseName(name: string): void {
  if (!DATABASE_NAME.test(name)) throw new EngineError('not_found', `database "${name}" does not exist`);
}

export interface StatementRules {
  /** First keywords a query may start with (lower case). */
  keywords: ReadonlySet<string>;
  /** Functions refused by name (see functionNames). */
  forbidden?: RegExp;
  /** Text refused anywhere in the statement, with the reason. */
  refusedText?: { pattern: RegExp; reason: string }[];
}

const LEADING_NOISE = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/|\()*/;

/** The statement's first keyword, lower case, after comments, whitespace and parentheses. */
export function firstKeyword(sql: string): string {
  const rest = sql.replace(LEADING_NOISE, '');
  return (/^[a-z]+/i.exec(rest)?.[0] ?? '').toLowerCase();
}

export function checkStatement(sql: string, rules: StatementRules): void {
  if (!rules.keywords.has(firstKeyword(sql))) {
    throw new EngineError('read_only', `only a read-only query (${[...rules.keywords].join(', ').toUpperCase()}) can run`);
  }
  for (const { pattern, reason } of rules.refusedText ?? []) {
    if (pattern.test(sql)) throw new EngineError('read_only', reason);
  }
  // Searched in the whole text, string literals included: a name inside a string is how SQL
  // text reaches a function that runs it. A false refusal is the safe mistake here.
  const call = rules.forbidden?.exec(sql.toLowerCase());
  if (call) throw new EngineError('read_only', `${call[0]}() is not allowed: it acts outside a read-only query`);
}

/** Builds the `forbidden` pattern from function names and name patterns (regex source). */
export function functionNames(...names: string[]): RegExp {
  return new RegExp(`(?<![a-z0-9_$])(?:${names.join('|')})(?![a-z0-9_$])`);
}

export interface FunctionCall {
  /** Lower case for a plain name, exact for a quoted one. */
  name: string;
  offset: number;
}

/**
 * Reads the statement with the engine's own lexing rules, under every mode the server may be
 * in (string-escape settings): its first keyword must be one of `keywords`, it must be one
 * statement, and the calls it makes to functions not in `allowed` are returned for the engine
 * to refuse those that name a real function. A token that spells a name with escapes (U&"…")
 * is refused: its name cannot be matched.
 */
export function callsOutsideAllowlist(sql: string, modes: LexOptions[], keywords: ReadonlySet<string>, allowed: ReadonlySet<string>): FunctionCall[] {
  const out = new Map<string, FunctionCall>();
  for (const mode of modes) {
    let tokens;
    try {
      tokens = lex(sql, mode);
    } catch (err) {
      if (err instanceof LexError) throw new EngineError('invalid', `the statement has an ${err.message}${at(sql, err.offset)}`);
      throw err;
    }
    const stmts = statements(tokens);
    if (stmts.length !== 1) throw new EngineError('read_only', 'exactly one statement can run');
    const first = stmts[0].find((t) => !(t.kind === 'punct' && t.text === '('));
    if (!first || first.kind !== 'word' || !keywords.has(first.text.toLowerCase())) {
      throw new EngineError('read_only', `only a read-only query (${[...keywords].join(', ').toUpperCase()}) can run`);
    }
    const escaped = tokens.find((t) => t.kind === 'quoted' && /^u&/i.test(sql.slice(t.offset, t.offset + 2)));
    if (escaped) throw new EngineError('read_only', `Unicode-escaped names (U&"…") are not allowed${at(sql, escaped.offset)}`);
    // A call is a name directly followed by "(" (comments aside). Plain names fold to lower
    // case as the server folds them (ASCII only); a call qualified by a schema other than
    // pg_catalog may reach a function of the database's own, so it is never on the allowlist.
    const code = tokens.filter((t) => t.kind !== 'comment');
    code.forEach((t, i) => {
      const next = code[i + 1];
      if ((t.kind !== 'word' && t.kind !== 'quoted') || next?.kind !== 'punct' || next.text !== '(') return;
      const name = t.kind === 'word' ? t.text.replace(/[A-Z]+/g, (c) => c.toLowerCase()) : t.text;
      const dot = code[i - 1];
      const schema = dot?.kind === 'punct' && dot.text === '.' ? code[i - 2] : undefined;
      const qualifiedElsewhere = schema !== undefined && !(schema.kind === 'word' && schema.text.toLowerCase() === 'pg_catalog') && !(schema.kind === 'quoted' && schema.text === 'pg_catalog');
      if ((qualifiedElsewhere || !allowed.has(name)) && !out.has(`${name}@${t.offset}`)) out.set(`${name}@${t.offset}`, { name, offset: t.offset });
    });
  }
  return [...out.values()];
}

/** Refuses a call to a function that is not on the engine's allowlist. */
export function refuseFunction(sql: string, call: FunctionCall): never {
  throw new EngineError('read_only', `the function ${call.name}() is not allowed${at(sql, call.offset)}: only functions on the read-only allowlist can run`);
}

function at(sql: string, offset: number): string {
  const before = sql.slice(0, offset).split('\n');
  return ` (line ${before.length}, column ${before[before.length - 1].length + 1})`;
}
