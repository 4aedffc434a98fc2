// Splits a SQL document into statements with their offsets. Semicolons inside strings,
// quoted identifiers, comments and dollar-quoted bodies do not end a statement.

export interface SqlStatement {
  /** The statement from its first token to its last, without the terminating semicolon. */
  text: string;
  /** Offset of the first token (leading comments and blanks are not part of the statement). */
  start: number;
  /** Offset just past the last token, before the semicolon. */
  end: number;
  /** Offset just past the terminating semicolon, or `end` when there is none. */
  terminatorEnd: number;
}

export function splitStatements(sql: string): SqlStatement[] {
  const statements: SqlStatement[] = [];
  let start = -1;
  let end = -1;
  let i = 0;
  const close = (terminatorEnd: number) => {
    if (start >= 0) statements.push({ text: sql.slice(start, end), start, end, terminatorEnd });
    start = -1;
  };
  while (i < sql.length) {
    const ch = sql[i];
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const comment = commentEnd(sql, i);
    if (comment > i) {
      // Comments inside a statement belong to it; comments before it do not.
      if (start >= 0) end = comment;
      i = comment;
      continue;
    }
    if (ch === ';') {
      close(i + 1);
      i++;
      continue;
    }
    if (start < 0) start = i;
    i = tokenEnd(sql, i);
    end = i;
  }
  close(end);
  return statements;
}

/** The statement holding `offset`, or the one just before it on the same stretch of blanks. */
export function statementAt(statements: SqlStatement[], offset: number): SqlStatement | undefined {
  const inside = statements.find((s) => offset >= s.start && offset <= s.terminatorEnd);
  if (inside) return inside;
  const before = statements.filter((s) => s.terminatorEnd <= offset);
  return before.at(-1) ?? statements[0];
}

function commentEnd(sql: string, i: number): number {
  if (sql.startsWith('--', i)) {
    const newline = sql.indexOf('\n', i);
    return newline < 0 ? sql.length : newline;
  }
  if (sql.startsWith('/*', i)) {
    // PostgreSQL nests block comments.
    let depth = 0;
    let j = i;
    while (j < sql.length) {
      if (sql.startsWith('/*', j)) {
        depth++;
        j += 2;
      } else if (sql.startsWith('*/', j)) {
        depth--;
        j += 2;
        if (depth === 0) return j;
      } else j++;
    }
    return sql.length;
  }
  return i;
}

/** End offset of the token (string, quoted name, dollar body or plain character) at `i`. */
function tokenEnd(sql: string, i: number): number {
  const ch = sql[i];
  if (ch === "'") return quotedEnd(sql, i, "'", isEscapeString(sql, i));
  if (ch === '"' || ch === '`') return quotedEnd(sql, i, ch, false);
  if (ch === '$') {
    const tag = /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 66));
    if (tag && !/[A-Za-z0-9_]/.test(sql[i - 1] ?? '')) {
      const close = sql.indexOf(tag[0], i + tag[0].length);
      return close < 0 ? sql.length : close + tag[0].length;
    }
  }
  return i + 1;
}

/** PostgreSQL E'…' strings take backslash escapes. */
function isEscapeString(sql: string, quote: number): boolean {
  return /[eE]/.test(sql[quote - 1] ?? '') && !/[A-Za-z0-9_]/.test(sql[quote - 2] ?? '');
}

function quotedEnd(sql: string, i: number, quote: string, backslashEscapes: boolean): number {
  let j = i + 1;
  while (j < sql.length) {
    if (backslashEscapes && sql[j] === '\\') j += 2;
    else if (sql[j] === quote) {
      if (sql[j + 1] === quote) j += 2;
      else return j + 1;
    } else j++;
  }
  return sql.length;
}
