// The statement gate hands the parser a rewritten text (string contents blanked, PostgreSQL's
// ONLY blanked, MySQL's "--" that is code split) and reads the CTE names out of its tree. What
// the user sees of it: which statements are accepted, the tables they name, and the positions
// of refusals, which must be those of the statement as written.
import assert from 'node:assert/strict';
import type { EngineKind } from '../../../server/engines/engine.js';
import { checkStatement } from '../../../server/sql/statement-gate.js';

const tables = (sql: string, kind: EngineKind) => checkStatement(sql, kind).tables;

describe('statement gate: the text the parser reads', () => {
  it('a SQLite string ending in a backslash is blanked, so the parser does not read on past its quote', () => {
    assert.deepEqual(tables("SELECT '\\', 'a' AS a, name FROM t", 'sqlite'), ['t']);
  });

  it('a refusal after a string, ONLY or MySQL\'s "--1" is placed in the statement as written', () => {
    assert.throws(() => checkStatement("SELECT 'abc' x y FROM t", 'sqlite'), /unexpected "y" \(line 1, column 16\)$/);
    assert.throws(() => checkStatement('SELECT * FROM ONLY t x y', 'postgres'), /unexpected "y" \(line 1, column 24\)$/);
    assert.throws(() => checkStatement('SELECT 1--1 x y FROM t', 'mysql'), /unexpected "y" \(line 1, column 15\)$/);
  });

  it('only PostgreSQL\'s ONLY keyword is blanked: a word ending in "only", a quoted "only", and MySQL\'s and SQLite\'s table "only" are names', () => {
    assert.deepEqual(tables('SELECT * FROM readonly', 'postgres'), ['readonly']);
    assert.deepEqual(tables('SELECT * FROM "only"', 'postgres'), ['only']);
    assert.deepEqual(tables('SELECT * FROM only', 'sqlite'), ['only']);
    assert.deepEqual(tables('SELECT * FROM only secrets', 'mysql'), ['only']);
  });

  it('ONLY after any word but FROM or JOIN is not blanked: PostgreSQL reserves it, and the parser refuses it there', () => {
    for (const alias of ['xfrom', 'fromx']) {
      assert.throws(() => checkStatement(`SELECT * FROM t ${alias} ONLY`, 'postgres'), /unexpected "O" \(line 1, column 23\)$/);
    }
  });

  it('readings with as many tokens that differ in one string\'s length are refused where they part', () => {
    assert.throws(() => checkStatement("SELECT '\\'#'a", 'mysql'), /reads differently depending on the server's string-escape setting .*\(line 1, column 8\)$/);
  });

  it('a minus that is not the second of "--" reaches the parser unchanged', () => {
    assert.deepEqual(tables('SELECT (1)-(2) FROM t', 'mysql'), ['t']);
    assert.throws(() => checkStatement('-1', 'sqlite'), /could not be parsed as sqlite SQL: unexpected end of statement \(line 1, column 3\)$/);
  });

  it('a CTE name that qualifies a column in its own body is still a CTE; a later CTE\'s name read by an earlier one is the table', () => {
    assert.deepEqual(tables('WITH o AS (SELECT o.id FROM orders o) SELECT id FROM o', 'postgres'), ['orders']);
    assert.deepEqual(tables('WITH a AS (SELECT * FROM b), b AS (SELECT 1) SELECT * FROM a, b', 'postgres'), ['b']);
  });
});
