// The checks every engine makes before a statement reaches its database (server/engines/guard.ts),
// with rules written here, independent of any one engine's list.
import assert from 'node:assert/strict';
import { EngineError } from '../../../server/engines/engine.js';
import { checkDatabaseName, checkStatement, firstKeyword, functionNames, type StatementRules } from '../../../server/engines/guard.js';

const refusedAs = (kind: string, message: string | RegExp) => (err: unknown) => {
  assert.ok(err instanceof EngineError, String(err));
  assert.equal(err.kind, kind);
  if (typeof message === 'string') assert.equal(err.message, message);
  else assert.match(err.message, message);
  return true;
};

describe('engine guard', () => {
  describe('checkDatabaseName', () => {
    it('accepts plain identifiers up to 128 characters', () => {
      for (const name of ['sales', 'a', 'Sales_2024', 'x$y', 'my-db', 'z'.repeat(128)]) assert.doesNotThrow(() => checkDatabaseName(name), name);
    });

    it('refuses anything that could name a path, another server or nothing, as "does not exist"', () => {
      for (const name of ['', 'z'.repeat(129), '../hr', 'a/b', '/abs', 'abc/', 'a.b', 'a b', 'a;b', 'a\nb', 'host:5432', 'naïve']) {
        assert.throws(() => checkDatabaseName(name), refusedAs('not_found', `database "${name}" does not exist`), JSON.stringify(name));
      }
    });
  });

  describe('firstKeyword', () => {
    it('skips whitespace, line and block comments and opening parentheses, in any order', () => {
      assert.equal(firstKeyword('SELECT 1'), 'select');
      assert.equal(firstKeyword('  \n\tSeLeCt 1'), 'select');
      assert.equal(firstKeyword('-- note\nWITH a AS (SELECT 1) SELECT * FROM a'), 'with');
      assert.equal(firstKeyword('/* one */ /* two\n lines */values (1)'), 'values');
      assert.equal(firstKeyword('((  (select 1)))'), 'select');
      assert.equal(firstKeyword('( -- c\n /* d */ (\n select 1))'), 'select');
      assert.equal(firstKeyword('/* a */select/* b */1'), 'select');
    });

    it('is the leading run of letters only, and empty when the statement does not start with one', () => {
      assert.equal(firstKeyword('select1'), 'select');
      assert.equal(firstKeyword('select_x'), 'select');
      assert.equal(firstKeyword(''), '');
      assert.equal(firstKeyword('-- only a comment'), '');
      assert.equal(firstKeyword('1 select'), '');
      assert.equal(firstKeyword('; select 1'), '');
      assert.equal(firstKeyword('/* unterminated select'), '');
      assert.equal(firstKeyword('--x\ndelete from t'), 'delete');
    });

    it('does not let a comment hide the keyword after it on the same line', () => {
      assert.equal(firstKeyword('-- select\ndelete from t'), 'delete');
      assert.equal(firstKeyword('/* select */ delete from t'), 'delete');
    });
  });

  describe('checkStatement', () => {
    const rules: StatementRules = {
      keywords: new Set(['select', 'with']),
      forbidden: functionNames('pg_sleep', 'lo_[a-z_]+'),
      refusedText: [
        { pattern: /u&["']/i, reason: 'no unicode escapes' },
        { pattern: /\/\*!/, reason: 'no executable comments' },
      ],
    };

    it('lets a query starting with an allowed keyword through', () => {
      assert.doesNotThrow(() => checkStatement('SELECT * FROM t', rules));
      assert.doesNotThrow(() => checkStatement('(with a as (select 1) select * from a)', rules));
    });

    it('refuses any other first keyword, naming the allowed ones', () => {
      for (const sql of ['DELETE FROM t', 'values (1)', 'pragma x', '', '1x']) {
        assert.throws(() => checkStatement(sql, rules), refusedAs('read_only', 'only a read-only query (SELECT, WITH) can run'), sql);
      }
    });

    it('refuses text a rule refuses anywhere, with that rule\'s reason', () => {
      assert.throws(() => checkStatement('select U&"d\\0061t" from t', rules), refusedAs('read_only', 'no unicode escapes'));
      assert.throws(() => checkStatement('select /*! 1 */ 2', rules), refusedAs('read_only', 'no executable comments'));
      assert.doesNotThrow(() => checkStatement('select u, "&" from t /* ! */', rules));
    });

    it('refuses a forbidden function by name, whatever its case, even inside a string', () => {
      assert.throws(() => checkStatement('select PG_SLEEP(10)', rules), refusedAs('read_only', 'pg_sleep() is not allowed: it acts outside a read-only query'));
      assert.throws(() => checkStatement("select 'pg_sleep'", rules), refusedAs('read_only', /^pg_sleep\(\)/));
      assert.throws(() => checkStatement('select lo_import(1)', rules), refusedAs('read_only', /^lo_import\(\) is not allowed/));
    });

    it('matches whole names only', () => {
      for (const sql of ['select my_pg_sleep(1)', 'select pg_sleep2(1)', 'select pg_sleep_for', 'select $pg_sleep', 'select pg_sleep$x', 'select xlo_import(1)']) {
        assert.doesNotThrow(() => checkStatement(sql, rules), sql);
      }
    });

    it('needs neither refused text nor forbidden functions', () => {
      assert.doesNotThrow(() => checkStatement('select pg_sleep(1), u&"x"', { keywords: new Set(['select']) }));
    });
  });

  describe('functionNames', () => {
    it('builds one pattern from names and name patterns, matching whole names', () => {
      const re = functionNames('sleep', 'get_[a-z]+');
      assert.equal(re.exec('select sleep(1)')?.[0], 'sleep');
      assert.equal(re.exec('select get_lock(1)')?.[0], 'get_lock');
      assert.equal(re.exec('x.sleep')?.[0], 'sleep');
      assert.equal(re.exec('select nosleep(1)'), null);
      assert.equal(re.exec('select sleep_(1)'), null);
      assert.equal(re.exec('select 0sleep'), null);
      assert.equal(re.exec('select get_'), null);
    });
  });
});
