// Checks an engine makes before a statement reaches the database. The read-only session is
// the real protection; these refuse, up front, what a read-only session would still allow:
// statements that change the session itself, and functions that act outside the transaction
// (signal other sessions, read or write server files, open connections, run SQL text).
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
