// The MySQL engine's function allowlist and its reading of MySQL/MariaDB lexing (issue 13): no
// database needed. The engine suite (test/engines/masking-mysql.test.ts) runs the same
// statements on MariaDB.
import assert from 'node:assert/strict';
import { EngineError } from '../../../server/engines/engine.js';
import { checkMysqlFunctions } from '../../../server/engines/mysql-guard.js';
import { lex } from '../../../lang/sql/lexer.js';
import { checkStatement } from '../../../server/sql/statement-gate.js';

const MYSQL = { backslashEscapes: true, doubleQuotedStrings: true, dollarQuotes: false, mysql: true };

function refused(sql: string, name: RegExp) {
  assert.throws(() => checkMysqlFunctions(sql), (e: unknown) => e instanceof EngineError && name.test(e.message), sql);
}

describe('mysql guard', () => {
  it('lets allowlisted functions, clauses and CTE column lists through', () => {
    for (const sql of [
      "SELECT CONCAT_WS(',', name, UPPER(email)), JSON_OBJECT('a', 1), COUNT(*) FROM t WHERE id IN (1, 2) AND EXISTS (SELECT 1)",
      'WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 3), u (m) AS (SELECT 2) SELECT * FROM s, u',
      'SELECT CAST(x AS DECIMAL(10, 2)), CONVERT(y, CHAR(3)), ROW_NUMBER() OVER (PARTITION BY a ORDER BY b) FROM t FORCE INDEX (k)',
      "SELECT GROUP_CONCAT(a ORDER BY b SEPARATOR ';'), 'sleep(1)', `sleep` FROM t",
      "SELECT * FROM JSON_TABLE('[1]', '$[*]' COLUMNS (a INT PATH '$')) AS j",
    ]) {
      checkMysqlFunctions(sql);
    }
  });

  it('refuses any other function, by name, however it is written', () => {
    refused('SELECT SLEEP(1)', /SLEEP\(\)/);
    refused('SELECT sleep (1)', /sleep\(\)/);
    refused('SELECT sleep/* x */(1)', /sleep\(\)/);
    refused("SELECT BENCHMARK(10, MD5('a'))", /BENCHMARK/);
    refused("SELECT GET_LOCK('a', 0)", /GET_LOCK/);
    refused("SELECT `get_lock`('a', 0)", /get_lock/);
    refused('SELECT db.my_function(1)', /my_function/);
    refused('SELECT LAST_INSERT_ID(1)', /LAST_INSERT_ID/);
    refused('SELECT some_udf(1)', /some_udf/);
  });

  it('reads "--" as MySQL does: a comment only when whitespace follows', () => {
    refused("SELECT 1--1, GET_LOCK('a', 0)", /GET_LOCK/);
    checkMysqlFunctions("SELECT 1 -- GET_LOCK('a', 0)");
    checkMysqlFunctions("SELECT 1 --\tGET_LOCK('a', 0)");
    checkMysqlFunctions("SELECT 1 # GET_LOCK('a', 0)");
    assert.deepEqual(lex('SELECT 1--1', MYSQL).map((t) => t.text), ['SELECT', '1', '-', '-', '1']);
    assert.equal(checkStatement('SELECT 1--1', 'mysql').tables.length, 0);
  });

  it('reads strings with backslash escapes, and refuses executable comments', () => {
    refused("SELECT '\\' , ' AS a, GET_LOCK('a', 0)", /GET_LOCK/);
    refused('SELECT /*! SLEEP(1) */ 1', /executable comments/);
    refused('SELECT /*M!100000 SLEEP(1) */ 1', /executable comments/);
    refused('SELECT /*!50000 1 */', /executable comments/);
  });
});
