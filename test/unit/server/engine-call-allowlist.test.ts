// The shared reading of a statement's function calls (callsOutsideAllowlist, refuseFunction in
// server/engines/guard.ts), with an allowlist written here: what it refuses and how the refusal
// reads (kind and position are what the user is shown), where a call is and is not, and how a
// schema-qualified name is judged. The PostgreSQL engine's own list is tested in
// postgres-lexing.test.ts.
import assert from 'node:assert/strict';
import { EngineError } from '../../../server/engines/engine.js';
import { callsOutsideAllowlist, refuseFunction } from '../../../server/engines/guard.js';
import type { LexOptions } from '../../../lang/sql/lexer.js';

const MODES: LexOptions[] = [
  { backslashEscapes: false, doubleQuotedStrings: false, dollarQuotes: true, postgres: true },
  { backslashEscapes: true, doubleQuotedStrings: false, dollarQuotes: true, postgres: true },
];
const KEYWORDS = new Set(['select', 'with', 'values']);
const ALLOWED = new Set(['upper', 'count']);
const calls = (sql: string) => callsOutsideAllowlist(sql, MODES, KEYWORDS, ALLOWED);
const names = (sql: string) => calls(sql).map((c) => c.name);

function refusedAs(sql: string, kind: string, message: string): void {
  assert.throws(
    () => calls(sql),
    (err: unknown) => {
      assert.ok(err instanceof EngineError, `${sql}: ${String(err)}`);
      assert.deepEqual({ kind: err.kind, message: err.message }, { kind, message }, sql);
      return true;
    },
  );
}

describe('engine guard: calls outside the allowlist', () => {
  describe('what is refused before any call is looked at', () => {
    it('a statement that cannot be read, as invalid, with where it goes wrong', () => {
      refusedAs("SELECT 1, 'abc", 'invalid', 'the statement has an unterminated string (line 1, column 11)');
      refusedAs('SELECT 1,\n  upper(x),\n  "abc', 'invalid', 'the statement has an unterminated quoted identifier (line 3, column 3)');
    });

    it('more than one statement, and none', () => {
      refusedAs('SELECT 1; SELECT 2', 'read_only', 'exactly one statement can run');
      refusedAs('  ;  ', 'read_only', 'exactly one statement can run');
    });

    it('a statement that does not start with a query keyword, naming the keywords', () => {
      const message = 'only a read-only query (SELECT, WITH, VALUES) can run';
      for (const sql of ['DELETE FROM t', '(', ') SELECT 1', '"select" 1', '"(" SELECT 1', "'select'"]) refusedAs(sql, 'read_only', message);
    });

    it('a Unicode-escaped name, with its position; a Unicode-escaped string is no name', () => {
      refusedAs('SELECT 1,\n U&"\\0070g_sleep"(1)', 'read_only', 'Unicode-escaped names (U&"…") are not allowed (line 2, column 2)');
      assert.deepEqual(names("SELECT U&'\\0041', u&1 FROM t"), []);
    });
  });

  describe('where a call is', () => {
    it('a query may start with opening parentheses', () => {
      assert.deepEqual(names('(SELECT upper(x))'), []);
      assert.deepEqual(names('((SELECT 1))'), []);
    });

    it('a name directly followed by "(", comments between them aside', () => {
      assert.deepEqual(calls('SELECT pg_sleep/* wait */(1), 2'), [{ name: 'pg_sleep', offset: 7 }]);
      assert.deepEqual(names('SELECT lo_import -- x\n (1)'), ['lo_import']);
    });

    it('nothing else is a call: parentheses after an operator or a parenthesis, an alias spelled "(", a statement ending in a name', () => {
      assert.deepEqual(names('SELECT 1 + ((1)), 2 * (3)'), []);
      assert.deepEqual(names('SELECT name "(" FROM t'), []);
      assert.deepEqual(names('SELECT name FROM t'), []);
    });

    it('a keyword followed by "(" is reported as a candidate (the engine asks the server whether it names a function)', () => {
      assert.deepEqual(calls('VALUES(1)'), [{ name: 'values', offset: 0 }]);
    });

    it('every call outside the allowlist is reported once, whichever lexing mode found it', () => {
      assert.deepEqual(calls("SELECT pg_sleep(1), lo_import('x'), PG_SLEEP(2)"), [
        { name: 'pg_sleep', offset: 7 },
        { name: 'lo_import', offset: 20 },
        { name: 'pg_sleep', offset: 36 },
      ]);
    });
  });

  describe('schema-qualified names', () => {
    it('pg_catalog, written plain in any case or quoted exactly, is the built-ins', () => {
      assert.deepEqual(names('SELECT pg_catalog.upper(x), PG_Catalog.count(*), "pg_catalog".upper(y)'), []);
    });

    it('any other schema may hold a function of the database: never on the allowlist', () => {
      assert.deepEqual(names('SELECT public.upper(x)'), ['upper']);
      assert.deepEqual(names('SELECT "public".upper(x)'), ['upper']);
      assert.deepEqual(names('SELECT "PG_CATALOG".upper(x)'), ['upper']);
      assert.deepEqual(names('SELECT "pg_catalog ".count(x)'), ['count']);
    });
  });

  it('refuseFunction names the function and where it is called', () => {
    assert.throws(
      () => refuseFunction('SELECT 1,\n  pg_sleep(1)', { name: 'pg_sleep', offset: 12 }),
      (err: unknown) =>
        err instanceof EngineError &&
        err.kind === 'read_only' &&
        err.message === 'the function pg_sleep() is not allowed (line 2, column 3): only functions on the read-only allowlist can run',
    );
  });
});
