import assert from 'node:assert/strict';
import { LEX_MODES, lex, statements, type SqlDialect } from '../../../lang/sql/lexer.js';
import { splitStatements, statementAt } from '../../../extension/core/sql-statements.js';

const texts = (sql: string) => splitStatements(sql).map((s) => s.text);

describe('splitStatements', () => {
  it('splits on semicolons and drops the terminator and surrounding blanks', () => {
    assert.deepEqual(texts('SELECT 1;\n\n  SELECT 2 ;\nSELECT 3'), ['SELECT 1', 'SELECT 2', 'SELECT 3']);
  });

  it('gives offsets that point at the statement text in the document', () => {
    const sql = '-- intro\nSELECT a FROM t;\nSELECT b FROM u;';
    for (const s of splitStatements(sql)) assert.equal(sql.slice(s.start, s.end), s.text);
    assert.equal(splitStatements(sql)[0].terminatorEnd, sql.indexOf(';') + 1);
  });

  it('ends a statement with a line comment at the comment, not at the line break after it', () => {
    assert.deepEqual(texts('SELECT 1 -- one\n;\nSELECT 2 -- two\n'), ['SELECT 1 -- one', 'SELECT 2 -- two']);
  });

  it('does not split inside strings, quoted names or comments', () => {
    const sql = `SELECT 'a;b', "x;y", \`m;n\` FROM t -- c;d\nWHERE z = 'it''s; fine' /* e;f */;SELECT 2`;
    assert.deepEqual(texts(sql), [sql.slice(0, sql.lastIndexOf(';')), 'SELECT 2']);
  });

  it('does not split inside dollar-quoted bodies, tagged or not', () => {
    const sql = 'SELECT $$a;b$$, $fn$ x; $$ y $fn$ FROM t; SELECT 2';
    assert.deepEqual(texts(sql), ['SELECT $$a;b$$, $fn$ x; $$ y $fn$ FROM t', 'SELECT 2']);
  });

  it('treats $1 as a parameter, not a dollar quote', () => {
    assert.deepEqual(texts('SELECT $1; SELECT $2'), ['SELECT $1', 'SELECT $2']);
  });

  it('honours backslash escapes only in E strings', () => {
    assert.deepEqual(texts("SELECT E'a\\';b'; SELECT 2"), ["SELECT E'a\\';b'", 'SELECT 2']);
    assert.deepEqual(texts("SELECT 'a\\'; SELECT 2"), ["SELECT 'a\\'", 'SELECT 2']);
  });

  it('keeps nested block comments inside one statement and leaves out leading comments', () => {
    assert.deepEqual(texts('/* lead; */ SELECT 1 /* a /* b; */ c; */ FROM t;'), ['SELECT 1 /* a /* b; */ c; */ FROM t']);
  });

  it('returns nothing for blanks, comments and empty statements', () => {
    assert.deepEqual(texts(' ;; -- only a comment\n/* and this */ ;'), []);
  });
});

describe('splitStatements reads as the service does (lang/sql/lexer.ts)', () => {
  const inDialect = (sql: string, dialect: SqlDialect) => splitStatements(sql, dialect).map((s) => s.text);
  const asService = (sql: string, dialect: SqlDialect) => statements(lex(sql, LEX_MODES[dialect][0])).length;

  it('nests block comments in PostgreSQL only', () => {
    const sql = 'SELECT 1 /* a /* b; */ c; */ FROM t; SELECT 2';
    assert.deepEqual(inDialect(sql, 'postgres'), ['SELECT 1 /* a /* b; */ c; */ FROM t', 'SELECT 2']);
    assert.deepEqual(inDialect(sql, 'mysql'), ['SELECT 1 /* a /* b; */ c', '*/ FROM t', 'SELECT 2']);
    for (const dialect of ['postgres', 'mysql'] as const) assert.equal(inDialect(sql, dialect).length, asService(sql, dialect), dialect);
  });

  it('reads MySQL --1 as minus minus one, not as a comment', () => {
    const sql = 'SELECT 2--1; SELECT 3';
    assert.deepEqual(inDialect(sql, 'mysql'), ['SELECT 2--1', 'SELECT 3']);
    assert.deepEqual(inDialect(sql, 'postgres'), [sql]);
    assert.equal(inDialect(sql, 'mysql').length, asService(sql, 'mysql'));
  });

  it('runs an unterminated string or comment to the end of a document being typed', () => {
    assert.deepEqual(texts("SELECT 1; SELECT 'a;b"), ['SELECT 1', "SELECT 'a;b"]);
    assert.deepEqual(texts('SELECT 1; /* a; b'), ['SELECT 1']);
    assert.deepEqual(texts('SELECT 1 /* a; b'), ['SELECT 1 /* a; b']);
  });
});

describe('statementAt', () => {
  const sql = 'SELECT 1;\n\nSELECT 2;  \n';
  const statements = splitStatements(sql);

  it('finds the statement under the cursor, including on its semicolon', () => {
    assert.equal(statementAt(statements, sql.indexOf('2'))?.text, 'SELECT 2');
    assert.equal(statementAt(statements, sql.indexOf(';') + 1)?.text, 'SELECT 1');
  });

  it('picks the statement just before the cursor when it sits in blanks', () => {
    assert.equal(statementAt(statements, sql.length)?.text, 'SELECT 2');
  });
});
