import assert from 'node:assert/strict';
import type { EngineKind } from '../../../server/engines/engine.js';
import { DomainError } from '../../../server/domain/errors.js';
import { checkStatement } from '../../../server/sql/statement-gate.js';

const ENGINES: EngineKind[] = ['sqlite', 'postgres', 'mysql'];

/** The refusal of `sql` in `kind`: its message must match every pattern. */
function refused(sql: string, kind: EngineKind, ...words: RegExp[]): DomainError {
  let error: unknown;
  try {
    checkStatement(sql, kind);
  } catch (err) {
    error = err;
  }
  assert.ok(error instanceof DomainError, `${kind} accepted ${JSON.stringify(sql)}`);
  assert.equal(error.code, 'INVALID_ARGUMENT');
  for (const w of words) assert.match(error.message, w, `${kind}: ${sql}`);
  return error;
}

/** A refusal whose message and details carry this position. */
function refusedAt(sql: string, kind: EngineKind, line: number, column: number, ...words: RegExp[]) {
  const error = refused(sql, kind, ...words);
  assert.match(error.message, new RegExp(`line ${line}, column ${column}\\)`), `${kind}: ${sql}`);
  assert.equal(error.details?.line, line);
  assert.equal(error.details?.column, column);
}

describe('statement gate', () => {
  describe('accepts read-only statements in every dialect', () => {
    const accepted: [string, string[]][] = [
      ['SELECT 1', []],
      ['select name, email from employees where id = 3', ['employees']],
      ['SELECT c.name, o.total FROM customers c JOIN orders o ON o.customer_id = c.id', ['customers', 'orders']],
      // A CTE is not a table (issue 14).
      ['WITH big AS (SELECT * FROM orders WHERE total > 100) SELECT count(*) FROM big', ['orders']],
      ['SELECT name FROM customers UNION SELECT name FROM employees', ['customers', 'employees']],
      ['SELECT 1;', []],
      ['-- a comment\nSELECT 2 /* and another */', []],
      ["SELECT 'it''s; DELETE FROM t' AS s", []],
    ];
    for (const kind of ENGINES) {
      for (const [sql, tables] of accepted) {
        it(`${kind}: ${sql.replace(/\n/g, ' ')}`, () => {
          assert.deepEqual([...checkStatement(sql, kind).tables].sort(), [...tables].sort());
        });
      }
    }
  });

  it('reports the columns it reads', () => {
    assert.deepEqual(checkStatement('SELECT e.email, name FROM employees e', 'sqlite').columns, [
      { table: 'employees', column: 'email' },
      { table: null, column: 'name' },
    ]);
  });

  describe('refuses at request time, with a position', () => {
    for (const kind of ENGINES) {
      it(`${kind}: stacked statements`, () => {
        refusedAt('SELECT 1; DELETE FROM t', kind, 1, 11, /Only one statement is allowed/);
        refusedAt('SELECT 1;\n  SELECT 2', kind, 2, 3, /Only one statement/);
      });

      it(`${kind}: a backslash-quote that hides a second statement under one escape setting`, () => {
        refusedAt("SELECT 'a\\'; DELETE FROM t; -- '", kind, 1, 14, /Only one statement/);
      });

      it(`${kind}: a statement of punctuation and comments only is refused, not a crash`, () => {
        assert.throws(() => checkStatement(';--;', kind), (e: DomainError) => e.code === 'INVALID_ARGUMENT');
      });

      it(`${kind}: DML and DDL`, () => {
        refusedAt('DELETE FROM t', kind, 1, 1, /Only read-only SELECT statements are allowed, but this is DELETE/);
        refusedAt('  UPDATE t SET a = 1', kind, 1, 3, /this is UPDATE/);
        refusedAt('INSERT INTO t (a) VALUES (1)', kind, 1, 1, /this is INSERT/);
        refusedAt('DROP TABLE t', kind, 1, 1, /this is DROP/);
      });

      it(`${kind}: FOR UPDATE`, () => {
        refusedAt('SELECT * FROM t\nFOR UPDATE', kind, 2, 1, /FOR UPDATE takes row locks/);
      });

      it(`${kind}: functions with side effects, however they are spelled`, () => {
        for (const fn of ['pg_sleep', 'set_config', 'nextval', 'pg_terminate_backend', 'lo_import', 'dblink', 'load_file', 'sleep', 'load_extension']) {
          refusedAt(`SELECT 1, ${fn}(1)`, kind, 1, 11, new RegExp(`${fn}\\(\\) has side effects`));
        }
        refusedAt('SELECT 1, pg_catalog.set_config(1, 2, 3)', kind, 1, 22, /set_config\(\) has side effects/);
        refusedAt('SELECT NEXTVAL (1)', kind, 1, 8, /nextval\(\) has side effects/);
      });

      it(`${kind}: a data-modifying CTE and SELECT … INTO`, () => {
        refused('WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d', kind, /line 1, column \d+\)/);
        refused('SELECT * INTO new_t FROM t', kind, /line 1, column \d+\)/);
      });

      it(`${kind}: empty, unparsable and unterminated`, () => {
        refused('   ', kind, /empty/);
        refusedAt('SELECT * FROM', kind, 1, 14, /could not be parsed/);
        refusedAt("SELECT 'abc", kind, 1, 8, /unterminated string/);
      });
    }

    it('postgres: SELECT … INTO creates a table', () => {
      refusedAt('SELECT *\nINTO new_t FROM t', 'postgres', 2, 1, /SELECT … INTO/);
    });

    it('postgres: a data-modifying CTE is refused at its DELETE', () => {
      refusedAt('WITH d AS (DELETE FROM t) SELECT 1', 'postgres', 1, 12, /this is DELETE/);
    });

    it('postgres: dollar-quoted text does not hide a statement, and set_config is refused', () => {
      assert.deepEqual(checkStatement('SELECT $$a; DELETE FROM t$$', 'postgres').tables, []);
      refused("SELECT set_config('x', 'y', false)", 'postgres', /set_config\(\) has side effects/);
      refused('SELECT * FROM t FOR SHARE', 'postgres', /FOR SHARE/);
    });

    it('mysql: executable comments, INTO OUTFILE, LOAD_FILE, LOCK IN SHARE MODE', () => {
      refusedAt('SELECT /*!50000 1; DROP TABLE t */', 'mysql', 1, 8, /executable comments/);
      refusedAt("SELECT * FROM t INTO OUTFILE '/tmp/x'", 'mysql', 1, 17, /INTO OUTFILE writes a file/);
      refusedAt("SELECT * FROM t INTO DUMPFILE '/tmp/x'", 'mysql', 1, 17, /INTO DUMPFILE/);
      refusedAt("SELECT LOAD_FILE('/etc/passwd')", 'mysql', 1, 8, /load_file\(\) has side effects/);
      refused('SELECT * FROM t LOCK IN SHARE MODE', 'mysql', /LOCK IN SHARE MODE/);
      refused('SELECT 1 INTO @x', 'mysql', /SELECT … INTO/, /line 1, column 10/);
      refused('SELECT 1 # comment; DROP TABLE t\n; SELECT 2', 'mysql', /Only one statement/);
    });

    it('sqlite: ATTACH, PRAGMA, VACUUM and writefile', () => {
      refusedAt("ATTACH DATABASE '/tmp/x' AS x", 'sqlite', 1, 1, /this is ATTACH/);
      refused('PRAGMA writable_schema = 1', 'sqlite', /line 1, column \d+/);
      refused('VACUUM', 'sqlite', /line 1, column \d+/);
      refusedAt("SELECT writefile('/tmp/x', 'a')", 'sqlite', 1, 8, /writefile\(\) has side effects/);
    });

    it('refuses statements over the length limit', () => {
      refused(`SELECT '${'x'.repeat(100_000)}'`, 'sqlite', /longer than 100000 characters/);
    });
  });
});
