// Where the MySQL engine's function allowlist (server/engines/mysql-guard.ts) has to tell a call
// from something that only looks like one: a CTE's column list, a qualified (stored) function, a
// built-in name in backquotes. The refusals are what the user is shown: their kind decides the
// HTTP status, their message names the function.
import assert from 'node:assert/strict';
import { EngineError } from '../../../server/engines/engine.js';
import { checkMysqlFunctions } from '../../../server/engines/mysql-guard.js';

function refusedAs(sql: string, kind: string, message: RegExp): void {
  assert.throws(
    () => checkMysqlFunctions(sql),
    (err: unknown) => {
      assert.ok(err instanceof EngineError, `${sql}: ${String(err)}`);
      assert.equal(err.kind, kind, sql);
      assert.match(err.message, message, sql);
      return true;
    },
  );
}

const refusedCall = (sql: string, name: string) => refusedAs(sql, 'read_only', new RegExp(`^the function ${name}\\(\\) is not allowed in a read-only query$`));

describe('mysql guard: what is a call', () => {
  it('refuses text it cannot read as invalid, and executable comments as not read-only', () => {
    refusedAs("SELECT 'abc", 'invalid', /^the statement has an unterminated string$/);
    refusedAs('SELECT /*! SLEEP(1) */ 1', 'read_only', /^executable comments/);
  });

  it('lets CTE column lists through, with one column or several, after WITH, RECURSIVE or a comma', () => {
    for (const sql of [
      'WITH s(a, b) AS (SELECT 1, 2) SELECT a FROM s',
      'WITH RECURSIVE s (a, b, c) AS (SELECT 1, 2, 3) SELECT * FROM s',
      'WITH s AS (SELECT 1), t(x, y) AS (SELECT 1, 2) SELECT * FROM s, t',
      'WITH s(`)`, `(`) AS (SELECT 1, 2) SELECT 1',
    ]) {
      assert.doesNotThrow(() => checkMysqlFunctions(sql), sql);
    }
  });

  it('lets parentheses that follow no name through', () => {
    assert.doesNotThrow(() => checkMysqlFunctions('SELECT 2 * (3 + 4), ((5))'));
  });

  it('refuses a call whose shape only resembles a CTE column list', () => {
    refusedCall('sleep(1) AS (SELECT 1)', 'sleep');
    refusedCall('SELECT sleep(1) AS (SELECT 1)', 'sleep');
    refusedCall('SELECT x sleep(1) AS (SELECT 1)', 'sleep');
    refusedCall('SELECT 1 + sleep(1) AS (SELECT 1)', 'sleep');
    refusedCall('SELECT `with` sleep(1) AS (SELECT 1)', 'sleep');
    refusedCall('WITH sleep(a) `as` (SELECT 1) SELECT 1', 'sleep');
    refusedCall('SELECT 1, sleep(1) AS x', 'sleep');
    refusedCall('SELECT 1, sleep(1) AS', 'sleep');
    refusedCall('SELECT 1, sleep(1) * (2)', 'sleep');
  });

  it('refuses a call whose parenthesis is never closed', () => {
    refusedCall('SELECT 1, sleep(1', 'sleep');
    refusedCall('WITH w AS (SELECT 1), sleep(1', 'sleep');
  });

  it('refuses a qualified function even when its name is a built-in: it is a stored function', () => {
    refusedCall("SELECT crm.concat('a')", 'concat');
    refusedCall("SELECT `crm`.`upper`('a')", 'upper');
  });

  it('refuses a built-in name in backquotes, and reads a call at the very start of the text', () => {
    refusedCall("SELECT `concat`('a')", 'concat');
    refusedCall('sleep(1)', 'sleep');
    assert.doesNotThrow(() => checkMysqlFunctions("upper('a')"));
  });
});
