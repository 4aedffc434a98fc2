// What the statement gate reports beyond accept/refuse: exact messages (with and without a
// position), what a statement reads (tables, columns, set operations), and refusals that hide
// in the second branch of a set operation.
import assert from 'node:assert/strict';
import type { EngineKind } from '../../../server/engines/engine.js';
import { DomainError } from '../../../server/domain/errors.js';
import { checkStatement } from '../../../server/sql/statement-gate.js';

const ENGINES: EngineKind[] = ['sqlite', 'postgres', 'mysql'];

function refusal(sql: string, kind: EngineKind): DomainError {
  try {
    checkStatement(sql, kind);
  } catch (err) {
    assert.ok(err instanceof DomainError, String(err));
    return err;
  }
  assert.fail(`${kind} accepted ${JSON.stringify(sql)}`);
}

describe('statement gate: messages and what a statement reads', () => {
  for (const kind of ENGINES) {
    it(`${kind}: an empty statement is refused without a position`, () => {
      for (const sql of ['', '  -- only a comment\n', ';', ' ; ; ']) {
        const err = refusal(sql, kind);
        assert.equal(err.code, 'INVALID_ARGUMENT');
        assert.equal(err.message, 'The statement is empty');
        assert.deepEqual(err.details, { field: 'statement' });
      }
    });

    it(`${kind}: a statement that ends early or has a stray token says what the parser found, and where`, () => {
      const early = refusal('SELECT * FROM', kind);
      assert.equal(early.message, `The statement could not be parsed as ${kind} SQL: unexpected end of statement (line 1, column 14)`);
      assert.deepEqual(early.details, { field: 'statement', line: 1, column: 14 });
      const stray = refusal('SELECT a\nFROM t WHERE )', kind);
      assert.match(stray.message, new RegExp(`^The statement could not be parsed as ${kind} SQL: unexpected "\\)" \\(line 2, column 14\\)$`));
      assert.deepEqual(stray.details, { field: 'statement', line: 2, column: 14 });
    });

    it(`${kind}: tables without schema in first-seen order, each once`, () => {
      assert.deepEqual(checkStatement('SELECT * FROM orders o JOIN customers c ON c.id = o.customer_id JOIN orders p ON p.id = o.id', kind).tables, ['orders', 'customers']);
      assert.deepEqual(checkStatement('SELECT 1', kind).tables, []);
    });

    it(`${kind}: columns, with "*" for a star and null for an unqualified name`, () => {
      assert.deepEqual(checkStatement('SELECT * FROM employees', kind).columns, [{ table: null, column: '*' }]);
      assert.deepEqual(checkStatement('SELECT employees.email, name, name FROM employees', kind).columns, [
        { table: 'employees', column: 'email' },
        { table: null, column: 'name' },
      ]);
    });

    it(`${kind}: a set operation anywhere marks the statement compound`, () => {
      assert.equal(checkStatement('SELECT a FROM t', kind).compound, false);
      assert.equal(checkStatement('SELECT a FROM t UNION SELECT b FROM u', kind).compound, true);
      assert.equal(checkStatement('select a from t union all select b from u', kind).compound, true);
      assert.equal(checkStatement("SELECT 'union' AS u FROM t", kind).compound, false);
    });

    it(`${kind}: a statement that ends with a word that starts a locking clause is read to its end`, () => {
      assert.deepEqual(checkStatement('SELECT lock FROM t ORDER BY lock', kind).tables, ['t']);
    });
  }

  it('quoted names that spell a locking or file clause are names, not the clause', () => {
    assert.deepEqual(checkStatement('SELECT "for" "update" FROM t', 'postgres').tables, ['t']);
    assert.deepEqual(checkStatement('SELECT "for" "update" FROM t', 'sqlite').tables, ['t']);
    assert.deepEqual(checkStatement('SELECT `into` `outfile` FROM t', 'mysql').tables, ['t']);
  });

  it('a statement that is one statement under both escape settings but reads differently is refused where the readings part', () => {
    for (const kind of ['postgres', 'mysql'] as const) {
      const err = refusal("SELECT 'a\\', 'b' AS x -- '", kind);
      assert.equal(err.message, "The statement reads differently depending on the server's string-escape setting (a backslash before a quote); write the string without it (line 1, column 8)");
      assert.deepEqual(err.details, { field: 'statement', line: 1, column: 8 });
    }
    // The place is the first token the readings disagree on, not the statement's first string.
    const err = refusal("SELECT 1 AS x, 'a\\' -- '", 'postgres');
    assert.match(err.message, /reads differently .*\(line 1, column 16\)$/);
  });

  it('accepts a statement of exactly the length limit', () => {
    const sql = `SELECT 'x${'y'.repeat(100_000 - 10)}'`;
    assert.equal(sql.length, 100_000);
    assert.deepEqual(checkStatement(sql, 'sqlite').tables, []);
  });

  it('a backslash that ends a SQLite string does not make the parser miss the tables after it', () => {
    const read = checkStatement("SELECT '\\' AS a, name FROM employees", 'sqlite');
    assert.deepEqual(read.tables, ['employees']);
    assert.deepEqual(read.columns.at(-1), { table: null, column: 'name' });
  });

  it('positions after a string or dollar string are those of the statement as written', () => {
    for (const kind of ENGINES) assert.match(refusal("SELECT 'abc' FROM", kind).message, /unexpected end of statement \(line 1, column 18\)$/);
    assert.match(refusal('SELECT $$abc$$ FROM', 'postgres').message, /\(line 1, column 20\)$/);
    assert.match(refusal('SELECT $q$abc$q$ FROM', 'postgres').message, /\(line 1, column 22\)$/);
  });

  it('a string that merely ends with "$" is an ordinary string (PostgreSQL)', () => {
    assert.deepEqual(checkStatement("SELECT 'a$' FROM t", 'postgres').tables, ['t']);
  });

  it('quoted names are names: "into" is not where SELECT … INTO is, "union" is no set operation', () => {
    assert.match(refusal('SELECT "into" INTO new_t FROM t', 'postgres').message, /SELECT … INTO .*\(line 1, column 15\)$/);
    assert.equal(checkStatement('SELECT "union" FROM t', 'postgres').compound, false);
    assert.equal(checkStatement('SELECT "union" FROM t', 'sqlite').compound, false);
    assert.equal(checkStatement('SELECT `union` FROM t', 'mysql').compound, false);
  });

  it('refuses SELECT … INTO in the second branch of a UNION (MySQL, PostgreSQL)', () => {
    for (const kind of ['mysql', 'postgres'] as const) {
      const err = refusal('SELECT 1 UNION SELECT 2 INTO @x', kind);
      assert.equal(err.message, 'SELECT … INTO creates or writes a table and is not allowed (line 1, column 25)');
    }
  });

  it('refuses a data-modifying CTE after a harmless one, at its keyword (PostgreSQL)', () => {
    const err = refusal('WITH a AS (SELECT 1), b AS (UPDATE t SET x = 1 RETURNING x) SELECT * FROM a', 'postgres');
    assert.equal(err.message, 'Only read-only SELECT statements are allowed, but this is UPDATE (line 1, column 29)');
  });

  it('gives the same answer for a statement it has seen before (the cache keeps the dialect apart)', () => {
    const sql = 'SELECT a FROM t UNION SELECT b FROM u';
    const first = checkStatement(sql, 'postgres');
    assert.deepEqual(checkStatement(sql, 'postgres'), first);
    // Accepted by PostgreSQL, refused by SQLite: the cache must not carry one into the other.
    assert.deepEqual(checkStatement('SELECT 1 INTERSECT SELECT 2', 'postgres').compound, true);
    assert.equal(refusal('SELECT $$x$$ FROM t', 'sqlite').code, 'INVALID_ARGUMENT');
    assert.deepEqual(checkStatement('SELECT $$x$$ FROM t', 'postgres').tables, ['t']);
    assert.equal(refusal('SELECT $$x$$ FROM t', 'sqlite').code, 'INVALID_ARGUMENT');
  });

  it('string contents are blanked for the parser, so a quote or keyword inside a string hides nothing', () => {
    assert.deepEqual(checkStatement("SELECT 'x FROM secret' AS s FROM t", 'sqlite').tables, ['t']);
    assert.deepEqual(checkStatement("SELECT $a$ ' FROM secret $a$ AS s FROM t", 'postgres').tables, ['t']);
    assert.deepEqual(checkStatement("SELECT '\\\\' AS s FROM t", 'mysql').tables, ['t']);
    assert.deepEqual(checkStatement("SELECT '' AS s, $$$$ AS d FROM t", 'postgres').tables, ['t']);
  });
});
