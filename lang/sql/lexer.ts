// A small SQL tokenizer, independent of node-sql-parser, for the checks a grammar can get
// wrong: how many statements there are (under either string-escape setting), which functions
// are called, and clauses such as FOR UPDATE or MySQL's executable comments.

export type TokenKind = 'word' | 'quoted' | 'string' | 'number' | 'punct' | 'comment' | 'executable-comment';

export interface Token {
  kind: TokenKind;
  text: string;
  offset: number;
  /** Offset just past the token. */
  end: number;
}

export interface LexOptions {
  /** Backslash escapes a quote inside '…' (MySQL default, PostgreSQL E'' or standard_conforming_strings=off). */
  backslashEscapes: boolean;
  /** "…" is a string (MySQL) rather than an identifier. */
  doubleQuotedStrings: boolean;
  /** $tag$…$tag$ strings (PostgreSQL). */
  dollarQuotes: boolean;
  /**
   * MySQL/MariaDB comments: `--` starts a comment only when whitespace or a control character
   * (or the end) follows, `#` starts one, and `/*! … *\/`, `/*M! … *\/` are executable.
   */
  mysql?: boolean;
  /**
   * PostgreSQL's reading: block comments nest (a comment opened inside one needs its own close), `--` comments
   * end at a carriage return too, `[` is an operator (ARRAY[…], subscripts) rather than an
   * identifier quote, and U&"…" / U&'…' are one token each.
   */
  postgres?: boolean;
}

export type SqlDialect = 'sqlite' | 'postgres' | 'mysql';

/** The readings of each dialect; the first is the server's default. */
export const LEX_MODES: Record<SqlDialect, LexOptions[]> = {
  sqlite: [{ backslashEscapes: false, doubleQuotedStrings: false, dollarQuotes: false }],
  // standard_conforming_strings may be on or off on the server: the statement must be one
  // statement under both readings.
  postgres: [
    { backslashEscapes: false, doubleQuotedStrings: false, dollarQuotes: true, postgres: true },
    { backslashEscapes: true, doubleQuotedStrings: false, dollarQuotes: true, postgres: true },
  ],
  // NO_BACKSLASH_ESCAPES may be set on the server, likewise.
  mysql: [
    { backslashEscapes: true, doubleQuotedStrings: true, dollarQuotes: false, mysql: true },
    { backslashEscapes: false, doubleQuotedStrings: true, dollarQuotes: false, mysql: true },
  ],
};

export class LexError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const WORD = /[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*/y;
const NUMBER = /[0-9]+(\.[0-9]*)?([eE][+-]?[0-9]+)?|\.[0-9]+([eE][+-]?[0-9]+)?/y;
const DOLLAR_TAG = /\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/y;

function quotedEnd(sql: string, start: number, quote: string, backslash: boolean): number {
  for (let i = start + 1; i < sql.length; i++) {
    const ch = sql[i];
    if (backslash && ch === '\\') {
      i++;
    } else if (ch === quote) {
      if (sql[i + 1] === quote) i++;
      else return i + 1;
    }
  }
  throw new LexError(`unterminated ${quote === "'" ? 'string' : 'quoted identifier'}`, start);
}

/** Offset of the first \n or \r from `from`, or -1. */
function lineEnd(sql: string, from: number): number {
  const n = sql.indexOf('\n', from);
  const r = sql.indexOf('\r', from);
  return n === -1 ? r : r === -1 ? n : Math.min(n, r);
}

/** Where the block comment opening at `start` closes (nesting as PostgreSQL does); -1 if it does not. */
function nestedCommentEnd(sql: string, start: number): number {
  let depth = 0;
  for (let i = start; i < sql.length - 1; i++) {
    if (sql[i] === '/' && sql[i + 1] === '*') {
      depth++;
      i++;
    } else if (sql[i] === '*' && sql[i + 1] === '/') {
      depth--;
      if (depth === 0) return i;
      i++;
    }
  }
  return -1;
}

export function lex(sql: string, opts: LexOptions): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i];
    const start = i;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === '-' && sql[i + 1] === '-' && (!opts.mysql || i + 2 >= sql.length || sql.charCodeAt(i + 2) <= 0x20)) {
      const nl = opts.postgres ? lineEnd(sql, i) : sql.indexOf('\n', i);
      i = nl === -1 ? sql.length : nl + 1;
      tokens.push({ kind: 'comment', text: sql.slice(start, i), offset: start, end: i });
      continue;
    }
    if (ch === '#' && (opts.mysql ?? opts.doubleQuotedStrings)) {
      const nl = sql.indexOf('\n', i);
      i = nl === -1 ? sql.length : nl + 1;
      tokens.push({ kind: 'comment', text: sql.slice(start, i), offset: start, end: i });
      continue;
    }
    if (ch === '/' && sql[i + 1] === '*') {
      const end = opts.postgres ? nestedCommentEnd(sql, i) : sql.indexOf('*/', i + 2);
      if (end === -1) throw new LexError('unterminated comment', start);
      i = end + 2;
      const executable = (opts.mysql ?? opts.doubleQuotedStrings) && (sql[start + 2] === '!' || sql[start + 2] === '+' || /^[Mm]!/.test(sql.slice(start + 2, start + 4)));
      tokens.push({ kind: executable ? 'executable-comment' : 'comment', text: sql.slice(start, i), offset: start, end: i });
      continue;
    }
    if (opts.postgres && (ch === 'u' || ch === 'U') && sql[i + 1] === '&' && (sql[i + 2] === "'" || sql[i + 2] === '"')) {
      // U&'…' and U&"…": backslash starts a Unicode escape (never a quote); quotes double.
      const quote = sql[i + 2];
      i = quotedEnd(sql, i + 2, quote, false);
      tokens.push({ kind: quote === "'" ? 'string' : 'quoted', text: quote === "'" ? sql.slice(start, i) : sql.slice(start + 3, i - 1), offset: start, end: i });
      continue;
    }
    if (ch === "'" || (ch === '"' && opts.doubleQuotedStrings)) {
      // E'…' in PostgreSQL always honours backslashes.
      const prev = tokens[tokens.length - 1];
      const eString = prev?.kind === 'word' && /^[eE]$/.test(prev.text) && prev.offset + 1 === start;
      i = quotedEnd(sql, i, ch, opts.backslashEscapes || eString);
      tokens.push({ kind: 'string', text: sql.slice(start, i), offset: start, end: i });
      continue;
    }
    if (ch === '"' || ch === '`' || (ch === '[' && !opts.postgres)) {
      const close = ch === '[' ? ']' : ch;
      const end = sql.indexOf(close, i + 1);
      if (ch === '[') {
        if (end === -1) throw new LexError('unterminated quoted identifier', start);
        i = end + 1;
      } else {
        i = quotedEnd(sql, i, ch, false);
      }
      tokens.push({ kind: 'quoted', text: sql.slice(start + 1, i - 1), offset: start, end: i });
      continue;
    }
    if (ch === '$' && opts.dollarQuotes) {
      DOLLAR_TAG.lastIndex = i;
      const m = DOLLAR_TAG.exec(sql);
      if (m) {
        const end = sql.indexOf(m[0], i + m[0].length);
        if (end === -1) throw new LexError('unterminated dollar-quoted string', start);
        i = end + m[0].length;
        tokens.push({ kind: 'string', text: sql.slice(start, i), offset: start, end: i });
        continue;
      }
    }
    WORD.lastIndex = i;
    const word = WORD.exec(sql);
    if (word) {
      i += word[0].length;
      tokens.push({ kind: 'word', text: word[0], offset: start, end: i });
      continue;
    }
    NUMBER.lastIndex = i;
    const num = NUMBER.exec(sql);
    if (num && num[0].length) {
      i += num[0].length;
      tokens.push({ kind: 'number', text: num[0], offset: start, end: i });
      continue;
    }
    i++;
    tokens.push({ kind: 'punct', text: ch, offset: start, end: i });
  }
  return tokens;
}

/** One statement of a text and where it stands in the text. */
export interface StatementSpan {
  /** Its tokens, without comments and without the terminating semicolon. */
  tokens: Token[];
  /** Offset of the first token (comments before it are not part of the statement). */
  start: number;
  /** Offset just past the last token or comment before the semicolon. */
  end: number;
  /** Offset just past the terminating semicolon, or `end` when there is none. */
  terminatorEnd: number;
}

/** Tokens split at top-level semicolons, with their offsets; empty statements (e.g. after a trailing ";") dropped. */
export function statementSpans(tokens: Token[]): StatementSpan[] {
  const out: StatementSpan[] = [];
  let current: StatementSpan | undefined;
  for (const t of tokens) {
    if (t.kind === 'punct' && t.text === ';') {
      if (current) out.push({ ...current, terminatorEnd: t.offset + 1 });
      current = undefined;
    } else if (t.kind === 'comment') {
      // A line comment's token holds its line break, which is blank, not statement text.
      if (current) current.end = current.terminatorEnd = t.offset + t.text.trimEnd().length;
    } else {
      current ??= { tokens: [], start: t.offset, end: t.offset, terminatorEnd: t.offset };
      current.tokens.push(t);
      current.end = current.terminatorEnd = t.end;
    }
  }
  if (current) out.push(current);
  return out;
}

/** Tokens split at top-level semicolons; empty statements (e.g. after a trailing ";") dropped. */
export function statements(tokens: Token[]): Token[][] {
  return statementSpans(tokens).map((s) => s.tokens);
}

/** Names of functions called: a word or quoted identifier directly followed by "(". */
export function calledFunctions(tokens: Token[]): { name: string; offset: number }[] {
  const code = tokens.filter((t) => t.kind !== 'comment');
  const out: { name: string; offset: number }[] = [];
  code.forEach((t, i) => {
    const next = code[i + 1];
    if ((t.kind === 'word' || t.kind === 'quoted') && next?.kind === 'punct' && next.text === '(') {
      out.push({ name: t.kind === 'word' ? t.text.toLowerCase() : t.text, offset: t.offset });
    }
  });
  return out;
}
