// Splits a SQL document into statements with their offsets, with the service's own lexer
// (lang/sql/lexer.ts): the editor cuts a statement where the service will, so semicolons
// inside strings, quoted identifiers, comments and dollar-quoted bodies do not end one.
import { LEX_MODES, lex, LexError, statementSpans, type SqlDialect, type StatementSpan, type Token } from '../../lang/sql/lexer.js';

export interface SqlStatement extends Omit<StatementSpan, 'tokens'> {
  /** The statement from its first token to its last, without the terminating semicolon. */
  text: string;
}

/**
 * The statements of `sql` as `dialect` reads it; a document tied to no database is read as
 * PostgreSQL reads it (nested comments, dollar quotes, E strings).
 */
export function splitStatements(sql: string, dialect: SqlDialect = 'postgres'): SqlStatement[] {
  return statementSpans(tokensWhileTyping(sql, dialect)).map(({ start, end, terminatorEnd }) => ({ text: sql.slice(start, end), start, end, terminatorEnd }));
}

/**
 * A document being edited is often unfinished: an unterminated string or comment runs to the
 * end of the text, where the service would refuse the whole statement.
 */
function tokensWhileTyping(sql: string, dialect: SqlDialect): Token[] {
  const options = LEX_MODES[dialect][0];
  try {
    return lex(sql, options);
  } catch (error) {
    if (!(error instanceof LexError)) throw error;
    const rest: Token = { kind: sql.startsWith('/*', error.offset) ? 'comment' : 'string', text: sql.slice(error.offset), offset: error.offset, end: sql.length };
    return [...lex(sql.slice(0, error.offset), options), rest];
  }
}

/** The statement holding `offset`, or the one just before it on the same stretch of blanks. */
export function statementAt(statements: SqlStatement[], offset: number): SqlStatement | undefined {
  const inside = statements.find((s) => offset >= s.start && offset <= s.terminatorEnd);
  if (inside) return inside;
  const before = statements.filter((s) => s.terminatorEnd <= offset);
  return before.at(-1) ?? statements[0];
}
