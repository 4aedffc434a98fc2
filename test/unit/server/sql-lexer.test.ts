// The statement gate's tokenizer (lang/sql/lexer.ts): token kinds, texts and offsets under
// each dialect's settings, statement splitting and the functions a statement calls.
import assert from 'node:assert/strict';
import { calledFunctions, lex, LexError, statements, type LexOptions } from '../../../lang/sql/lexer.js';

const SQLITE: LexOptions = { backslashEscapes: false, doubleQuotedStrings: false, dollarQuotes: false };
const POSTGRES: LexOptions = { backslashEscapes: false, doubleQuotedStrings: false, dollarQuotes: true };
const MYSQL: LexOptions = { backslashEscapes: true, doubleQuotedStrings: true, dollarQuotes: false };

const tokens = (sql: string, opts: LexOptions) => lex(sql, opts).map((t) => [t.kind, t.text, t.offset]);

function lexError(sql: string, opts: LexOptions, message: string, offset: number) {
  assert.throws(() => lex(sql, opts), (err: unknown) => {
    assert.ok(err instanceof LexError, String(err));
    assert.equal(err.message, message);
    assert.equal(err.offset, offset);
    return true;
  }, sql);
}

describe('SQL lexer', () => {
  it('words, numbers and punctuation, with their offsets; whitespace is skipped', () => {
    assert.deepEqual(tokens(' \tSELECT a1, 1.5e3\n*x;', SQLITE), [
      ['word', 'SELECT', 2], ['word', 'a1', 9], ['punct', ',', 11], ['number', '1.5e3', 13], ['punct', '*', 19], ['word', 'x', 20], ['punct', ';', 21],
    ]);
    assert.deepEqual(tokens('1.5 .5e-2 3e 12', SQLITE), [['number', '1.5', 0], ['number', '.5e-2', 4], ['number', '3', 10], ['word', 'e', 11], ['number', '12', 13]]);
    assert.deepEqual(tokens('é_ü2 ±', SQLITE), [['word', 'é_ü2', 0], ['word', '±', 5]]);
  });

  it('a "-" or "*" after another character is an operator, not the start of a comment', () => {
    assert.deepEqual(tokens('a-b 1-2', SQLITE), [['word', 'a', 0], ['punct', '-', 1], ['word', 'b', 2], ['number', '1', 4], ['punct', '-', 5], ['number', '2', 6]]);
    assert.deepEqual(tokens('count(*) 2*3', SQLITE), [
      ['word', 'count', 0], ['punct', '(', 5], ['punct', '*', 6], ['punct', ')', 7], ['number', '2', 9], ['punct', '*', 10], ['number', '3', 11],
    ]);
  });

  it('a bracketed identifier ends at the first "]" after its "["', () => {
    assert.deepEqual(tokens('a][b]', SQLITE), [['word', 'a', 0], ['punct', ']', 1], ['quoted', 'b', 2]]);
  });

  it('line comments run to the end of the line, # only where "…" is a string (MySQL)', () => {
    assert.deepEqual(tokens('a -- x\nb', SQLITE), [['word', 'a', 0], ['comment', '-- x\n', 2], ['word', 'b', 7]]);
    assert.deepEqual(tokens('a --x', SQLITE), [['word', 'a', 0], ['comment', '--x', 2]]);
    assert.deepEqual(tokens('a - -x', SQLITE), [['word', 'a', 0], ['punct', '-', 2], ['punct', '-', 4], ['word', 'x', 5]]);
    assert.deepEqual(tokens('a # x\nb', MYSQL), [['word', 'a', 0], ['comment', '# x\n', 2], ['word', 'b', 6]]);
    assert.deepEqual(tokens('a # x', MYSQL), [['word', 'a', 0], ['comment', '# x', 2]]);
    assert.deepEqual(tokens('a # x', SQLITE), [['word', 'a', 0], ['punct', '#', 2], ['word', 'x', 4]]);
  });

  it('block comments; /*! and /*+ are executable in MySQL only; an open one is an error', () => {
    assert.deepEqual(tokens('/*! x */ /*+ y */ /* z */a', MYSQL), [
      ['executable-comment', '/*! x */', 0], ['executable-comment', '/*+ y */', 9], ['comment', '/* z */', 18], ['word', 'a', 25],
    ]);
    assert.deepEqual(tokens('/*! x */', POSTGRES), [['comment', '/*! x */', 0]]);
    assert.deepEqual(tokens('a / *b', SQLITE), [['word', 'a', 0], ['punct', '/', 2], ['punct', '*', 4], ['word', 'b', 5]]);
    lexError('a /* x', SQLITE, 'unterminated comment', 2);
    lexError('a /* x *', SQLITE, 'unterminated comment', 2);
    lexError('/*/ x', SQLITE, 'unterminated comment', 0);
  });

  it('strings: doubled quotes, and backslash escapes where the dialect has them', () => {
    assert.deepEqual(tokens("'it''s' x", SQLITE), [['string', "'it''s'", 0], ['word', 'x', 8]]);
    assert.deepEqual(tokens("'a\\'b' c", MYSQL), [['string', "'a\\'b'", 0], ['word', 'c', 7]]);
    assert.deepEqual(tokens("'a\\\\' c", MYSQL), [['string', "'a\\\\'", 0], ['word', 'c', 6]]);
    assert.deepEqual(tokens("'a\\' c", SQLITE), [['string', "'a\\'", 0], ['word', 'c', 5]], 'a backslash is plain text in SQLite');
  });

  it('unterminated strings and identifiers are errors at their start', () => {
    lexError("x 'abc", SQLITE, 'unterminated string', 2);
    lexError("'a\\'", MYSQL, 'unterminated string', 0);
    lexError('"ab', SQLITE, 'unterminated quoted identifier', 0);
    lexError('x `ab', MYSQL, 'unterminated quoted identifier', 2);
    lexError('[a b', SQLITE, 'unterminated quoted identifier', 0);
  });

  it("E'…' honours backslashes in PostgreSQL whatever the setting, but only right after a lone E", () => {
    assert.deepEqual(tokens("E'a\\'b' c", POSTGRES), [['word', 'E', 0], ['string', "'a\\'b'", 1], ['word', 'c', 8]]);
    assert.deepEqual(tokens("e'a\\'b'", POSTGRES), [['word', 'e', 0], ['string', "'a\\'b'", 1]]);
    lexError("E 'a\\'b'", POSTGRES, 'unterminated string', 7);
    lexError("xE'a\\'b'", POSTGRES, 'unterminated string', 7);
  });

  it('"…" is an identifier, or a string in MySQL; `…` and […] are identifiers', () => {
    assert.deepEqual(tokens('"a""b" x', SQLITE), [['quoted', 'a""b', 0], ['word', 'x', 7]]);
    assert.deepEqual(tokens('"a\\"', SQLITE), [['quoted', 'a\\', 0]]);
    assert.deepEqual(tokens('"x" y', MYSQL), [['string', '"x"', 0], ['word', 'y', 4]]);
    assert.deepEqual(tokens('`a``b` c', MYSQL), [['quoted', 'a``b', 0], ['word', 'c', 7]]);
    assert.deepEqual(tokens('[a b] c', SQLITE), [['quoted', 'a b', 0], ['word', 'c', 6]]);
  });

  it('dollar quotes in PostgreSQL, with and without a tag', () => {
    assert.deepEqual(tokens('$$a;b$$ c', POSTGRES), [['string', '$$a;b$$', 0], ['word', 'c', 8]]);
    assert.deepEqual(tokens('$t$a$$b$t$ c', POSTGRES), [['string', '$t$a$$b$t$', 0], ['word', 'c', 11]]);
    assert.deepEqual(tokens('$1 $', POSTGRES), [['punct', '$', 0], ['number', '1', 1], ['punct', '$', 3]]);
    assert.deepEqual(tokens('$$x$$', SQLITE), [['punct', '$', 0], ['punct', '$', 1], ['word', 'x$$', 2]]);
    lexError('x $t$abc', POSTGRES, 'unterminated dollar-quoted string', 2);
    lexError('$$abc$', POSTGRES, 'unterminated dollar-quoted string', 0);
  });

  it('splits statements at semicolons outside strings and comments, dropping empty ones and comments', () => {
    const split = (sql: string) => statements(lex(sql, SQLITE)).map((s) => s.map((t) => t.text));
    assert.deepEqual(split("a; ;b -- c\n; -- d\n"), [['a'], ['b']]);
    assert.deepEqual(split("x ';' /* ; */ y"), [['x', "';'", 'y']]);
    assert.deepEqual(split(';;'), []);
    assert.deepEqual(split('a [;] b'), [['a', ';', 'b']], 'a quoted name ";" does not end the statement');
    assert.deepEqual(split(''), []);
  });

  it('names the functions a statement calls: a word or quoted name right before "(", comments between allowed', () => {
    assert.deepEqual(calledFunctions(lex('F (1) "Q"(2) `R`(3) g /* c */ (4) h -- x\n(5) \'s\'(6) 7(8) [x](9) y.z(0) w', MYSQL)), [
      { name: 'f', offset: 0 }, { name: 'R', offset: 13 }, { name: 'g', offset: 20 }, { name: 'h', offset: 34 }, { name: 'x', offset: 57 }, { name: 'z', offset: 66 },
    ]);
    assert.deepEqual(calledFunctions(lex('"Q"(2) a + (b)', SQLITE)), [{ name: 'Q', offset: 0 }]);
  });
});
