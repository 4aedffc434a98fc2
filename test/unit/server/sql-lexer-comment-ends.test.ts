// Where the shared lexer ends a comment decides what is code: a comment that ends too late
// hides a function call from the checks, one that ends too early shows comment text as code.
import assert from 'node:assert/strict';
import { LEX_MODES, lex } from '../../../lang/sql/lexer.js';

const code = (sql: string, mode = LEX_MODES.postgres[0]) => lex(sql, mode).filter((t) => t.kind !== 'comment').map((t) => t.text);

describe('SQL lexer: where comments end', () => {
  it('a PostgreSQL "--" comment ends at the first line break, a carriage return before a newline included', () => {
    assert.deepEqual(code('SELECT 1 -- c\r, 2\n, 3'), ['SELECT', '1', ',', '2', ',', '3']);
  });

  it('in a PostgreSQL block comment, only "/*" opens and only "*/" closes', () => {
    assert.deepEqual(code('SELECT 1 /* a *b */, 2'), ['SELECT', '1', ',', '2']);
    assert.deepEqual(code('SELECT 1 /* a/b */, 2'), ['SELECT', '1', ',', '2']);
  });

  it('a MySQL "--" at the very end of the text is a comment', () => {
    assert.deepEqual(lex('SELECT 1 --', LEX_MODES.mysql[0]).map((t) => `${t.kind} ${t.text}`), ['word SELECT', 'number 1', 'comment --']);
  });
});
