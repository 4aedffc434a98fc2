// The shared SQL lexer (lang/sql/lexer.ts) as its users read it: where each statement of a
// text starts and ends (the extension runs the statement at the cursor with it), and
// PostgreSQL's U&'…' and U&"…" tokens, which exist in no other dialect.
import assert from 'node:assert/strict';
import { LEX_MODES, lex, statementSpans } from '../../../lang/sql/lexer.js';

const tokens = (sql: string, mode = LEX_MODES.postgres[1]) => lex(sql, mode).map((t) => `${t.kind} ${t.text}`);

describe('SQL lexer: statement spans', () => {
  it('a statement ends at its last token or trailing comment (without the line break); the terminator just after its semicolon', () => {
    const sql = '-- intro\nSELECT 1 -- one\n;\n  SELECT 2; -- two\n';
    assert.deepEqual(
      statementSpans(lex(sql, LEX_MODES.sqlite[0])).map(({ start, end, terminatorEnd }) => [sql.slice(start, end), sql.slice(start, terminatorEnd)]),
      [['SELECT 1 -- one', 'SELECT 1 -- one\n;'], ['SELECT 2', 'SELECT 2;']],
    );
  });
});

describe("SQL lexer: PostgreSQL's U& tokens", () => {
  it("U&'…' (either case) is one string, in which a backslash escapes nothing; U&\"…\" one name", () => {
    assert.deepEqual(tokens(`SELECT u&'a\\', U&"x""y"(1), U&'b'`), ['word SELECT', "string u&'a\\'", 'punct ,', 'quoted x""y', 'punct (', 'number 1', 'punct )', 'punct ,', "string U&'b'"]);
  });

  it('only U or u followed by & and a quote starts one', () => {
    assert.deepEqual(tokens(`SELECT x&'b', u,'c'`), ['word SELECT', 'word x', 'punct &', "string 'b'", 'punct ,', 'word u', 'punct ,', "string 'c'"]);
  });

  it('MySQL has no U& strings: u&\'a\' is a name, an operator and a string', () => {
    assert.deepEqual(tokens(`SELECT u&'a'`, LEX_MODES.mysql[0]), ['word SELECT', 'word u', 'punct &', "string 'a'"]);
  });
});
