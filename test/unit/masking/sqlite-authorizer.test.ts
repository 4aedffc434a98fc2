// The SQLite engine enforces masking itself (server/engines/sqlite-session.ts): masked columns
// are readable only through the masking views, and SQLite's authorizer refuses everything
// else a statement could use to reach a value. Cases from SQLite's manual (lang_select,
// lang_with, c3ref/set_authorizer, fileformat2 sqlite_stat4, json1, pragma functions). Each
// case asserts that the statement is refused with a clear message, or that no secret appears
// in its result or error.
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineError, type Engine, type EngineResult, type RunScope } from '../../../server/engines/engine.js';
import { SqliteSession } from '../../../server/engines/sqlite-session.js';
import { createSqliteEngine } from '../../../server/engines/sqlite.js';
import { maskValue } from '../../../server/masking/algorithms.js';

const RULES: RunScope['masking'] = [
  { table: 'customers', column: 'email', algorithm: 'partial' },
  { table: 'customers', column: 'ssn', algorithm: 'md5' },
  { table: 'customers', column: 'born', algorithm: 'full' },
];
const MASKED: RunScope = { unmask: false, masking: RULES };
const UNMASKED: RunScope = { unmask: true, masking: RULES };

const EMAILS = ['alice.liddell@example.com', 'bob.builder@example.org'];
const SSNS = ['123-45-6789', '987-65-4321'];
// Pieces of secrets that no masked value contains (partial keeps at most 3 characters at each end).
const SECRETS = ['alice.liddell', 'liddell@', '@example', 'bob.builder', 'builder@', '123-45', '45-6789', '987-65', '65-4321', '1961-08'];

const LIMITS = { timeoutMs: 20_000, maxRows: 1000 };

function leaks(text: string): string | undefined {
  const lower = text.toLowerCase();
  return SECRETS.find((s) => lower.includes(s));
}

describe('SQLite engine: masking enforced by the authorizer', function () {
  let dir: string;
  let engine: Engine;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'jit-sqlite-auth-'));
    const db = new Database(join(dir, 'shop.sqlite'));
    db.exec(`CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT, email TEXT, ssn TEXT, born DATE, score INTEGER);
      CREATE INDEX customers_email ON customers(email);
      CREATE INDEX customers_ssn ON customers(ssn);
      CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER, amount REAL);
      -- views a database owner created in the file: one over a masked column, one not
      CREATE VIEW customer_contacts AS SELECT id, name, email FROM customers;
      CREATE VIEW order_totals AS SELECT customer_id, sum(amount) AS total FROM orders GROUP BY customer_id;`);
    const insert = db.prepare('INSERT INTO customers VALUES (?, ?, ?, ?, ?, ?)');
    insert.run(1, 'Alice', EMAILS[0], SSNS[0], '1961-08-04', 12);
    insert.run(2, 'Bob', EMAILS[1], SSNS[1], '1961-08-05 10:11:12', 9_007_199_254_740_993n);
    insert.run(3, 'Nobody', null, null, null, null);
    const order = db.prepare('INSERT INTO orders VALUES (?, ?, ?)');
    for (let id = 1; id <= 200; id++) order.run(id, 1 + (id % 3), id * 1.5);
    db.exec('ANALYZE');
    // The statistics really hold sampled values: reading them is a leak if allowed.
    const samples = db.prepare('SELECT sample FROM sqlite_stat4').all() as { sample: Buffer }[];
    assert.ok(samples.some((s) => s.sample.toString('latin1').includes('alice.liddell')), 'sqlite_stat4 holds an email sample');
    db.close();
    engine = createSqliteEngine({ dir });
  });
  after(async () => {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const query = (sql: string, scope: RunScope = MASKED) => engine.query('shop', sql, LIMITS, scope);

  /** The statement runs and returns rows, and nothing in them is a secret. */
  async function safe(sql: string): Promise<EngineResult> {
    const result = await query(sql);
    const text = JSON.stringify(result);
    assert.equal(leaks(text), undefined, `${sql} leaked: ${text}`);
    return result;
  }

  /** The statement is refused by the engine with a message matching `why`, which holds no secret. */
  async function refused(sql: string, why: RegExp, scope: RunScope = MASKED): Promise<void> {
    await assert.rejects(query(sql, scope), (error: unknown) => {
      assert.ok(error instanceof EngineError, String(error));
      assert.match(error.message, why, sql);
      assert.equal(leaks(error.message), undefined, error.message);
      return true;
    }, sql);
  }

  /** Runs or fails, but no secret comes out either way. */
  async function noSecret(sql: string): Promise<void> {
    try {
      await safe(sql);
    } catch (error) {
      assert.ok(error instanceof EngineError, String(error));
      assert.equal(leaks(error.message), undefined, `${sql} leaked in its error: ${error.message}`);
    }
  }

  describe('masking views', () => {
    it('computes masked values in the engine, identical to maskValue(), and flags the columns', async () => {
      const raw = await query('SELECT id, name, email, ssn, born, score FROM customers ORDER BY id', UNMASKED);
      const masked = await safe('SELECT id, name, email, ssn, born, score FROM customers ORDER BY id');
      assert.deepEqual(masked.columns.map((c) => [c.name, c.masked]), [['id', false], ['name', false], ['email', true], ['ssn', true], ['born', true], ['score', false]]);
      const algorithms = [null, null, 'partial', 'md5', 'full', null] as const;
      assert.deepEqual(
        masked.rows,
        raw.rows.map((row) => row.map((v, i) => (algorithms[i] ? maskValue(algorithms[i]!, v) : v))),
      );
      assert.equal(masked.rows[2][2], null, 'NULL stays NULL');
      assert.equal(masked.rows[0][2], 'ali******com');
    });

    it('gives SELECT * through the masking view, with every column of the table', async () => {
      const result = await safe('SELECT * FROM customers ORDER BY id');
      assert.deepEqual(result.columns.map((c) => c.name), ['id', 'name', 'email', 'ssn', 'born', 'score']);
      assert.equal(result.rows.length, 3);
    });

    it('masks the same rows for the same statement in an export stream', async () => {
      const cursor = await engine.open('shop', 'SELECT email FROM customers ORDER BY id', LIMITS, MASKED);
      const rows = [];
      for await (const batch of cursor.batches()) rows.push(...batch);
      assert.deepEqual(rows, [['ali******com'], ['bob******org'], [null]]);
      assert.equal(cursor.columns[0].masked, true);
    });

    it('masks a masked value of any type to text (integers, dates, NULL)', async () => {
      const scope: RunScope = { unmask: false, masking: [{ table: 'customers', column: 'score', algorithm: 'md5' }] };
      const result = await query('SELECT score, typeof(score) FROM customers ORDER BY id', scope);
      assert.deepEqual(result.rows.map((r) => r[1]), ['text', 'text', 'null']);
      assert.equal(result.rows[1][0], maskValue('md5', '9007199254740993'));
    });

    it('reads base tables on an unmask run, still under the authorizer', async () => {
      const result = await query('SELECT email FROM main.customers WHERE id = 1', UNMASKED);
      assert.deepEqual(result.rows, [[EMAILS[0]]]);
      assert.equal(result.columns[0].masked, false);
      await refused('SELECT * FROM sqlite_stat4', /statistics/, UNMASKED);
    });

    it('flags computed columns only when the statement reads a masked column', async () => {
      const counted = await safe('SELECT count(*), max(id) FROM customers');
      assert.deepEqual(counted.columns.map((c) => c.masked), [false, false]);
      const derived = await safe('SELECT id, length(email) AS n, upper(name) AS u FROM customers');
      assert.deepEqual(derived.columns.map((c) => c.masked), [false, true, true]);
      const star = await safe('SELECT *, 1 AS one FROM customers');
      assert.deepEqual(star.columns.map((c) => c.masked), [false, false, true, true, true, false, true]);
    });

    it('lets unmasked columns of a masked table be read directly', async () => {
      const result = await query('SELECT id, name FROM main.customers ORDER BY id');
      assert.deepEqual(result.rows[0], [1, 'Alice']);
    });
  });

  describe('schema changes', () => {
    it('rebuilds the masking views when the schema changes, and refuses a ruled column the views do not cover yet', () => {
      const file = join(dir, 'changing.sqlite');
      const writer = new Database(file);
      writer.exec("CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO people VALUES (1, 'Alice')");
      const session = new SqliteSession(file, [{ table: 'people', column: 'email', algorithm: 'partial' }]);
      try {
        assert.deepEqual(session.prepare('SELECT * FROM people').statement.all().map((r) => ({ ...(r as object) })), [{ id: 1, name: 'Alice' }]);
        writer.exec(`ALTER TABLE people ADD COLUMN email TEXT; UPDATE people SET email = '${EMAILS[0]}'`);
        assert.throws(() => session.prepare('SELECT email FROM main.people'), /people\.email is masked/);
        assert.deepEqual(session.prepare('SELECT * FROM people').statement.all().map((r) => ({ ...(r as object) })), [{ id: 1, name: 'Alice', email: 'ali******com' }]);
      } finally {
        session.close();
        writer.close();
      }
    });
  });

  describe('direct reads of a masked column are refused', () => {
    for (const sql of [
      'SELECT email FROM main.customers',
      'SELECT * FROM main.customers',
      'SELECT id FROM main.customers WHERE email LIKE \'a%\'',
      'SELECT id FROM main.customers ORDER BY ssn',
      'SELECT count(*) FROM main.customers GROUP BY email',
      'SELECT (SELECT group_concat(email) FROM main.customers) AS x',
      'SELECT c.id FROM customers c JOIN main.customers m ON m.email = c.email',
      'SELECT id FROM main.customers INDEXED BY customers_email WHERE email > \'\'',
      'SELECT customers.* FROM main.customers',
    ]) {
      it(`refuses: ${sql}`, () => refused(sql, /is masked.*masking view customers/));
    }
  });

  describe('NATURAL and USING joins (SQLite compares their columns without asking the authorizer)', () => {
    for (const sql of [
      "SELECT x.k FROM (SELECT 7 AS k, 'alice.liddell@example.com' AS email) x JOIN main.customers m USING (email)",
      "SELECT x.k FROM (SELECT 7 AS k, '123-45-6789' AS ssn) x NATURAL JOIN main.customers",
      "SELECT count(*) FROM (VALUES ('alice.liddell@example.com'), ('bob@x')) v(email) JOIN main.customers USING(email)",
      "SELECT * FROM customers c NATURAL JOIN main.customers m",
      "SELECT x.k FROM (SELECT 7 AS k, 'x' AS email) x\nJOIN main.customers m\tUsInG(email)",
    ]) {
      it(`refuses the equality oracle: ${sql}`, () => refused(sql, /NATURAL and USING joins are not allowed/));
    }
    it('allows them on a run without masking rules, and on an unmask run', async () => {
      const sql = 'SELECT count(*) FROM orders o JOIN orders p USING (id)';
      assert.deepEqual((await query(sql, { unmask: false, masking: [] })).rows, [[200]]);
      assert.deepEqual((await query(sql, UNMASKED)).rows, [[200]]);
    });
  });

  describe('identifier quoting: SQLite decides what a name is', () => {
    it('reads "email", [email] and `email` as the (masked) column', async () => {
      for (const sql of ['SELECT "email" FROM customers', 'SELECT [email] FROM customers', 'SELECT `email` FROM customers', 'SELECT "EMAIL" FROM "CUSTOMERS"', 'SELECT "customers"."email" FROM "customers"'].map((s) => `${s} WHERE id = 1`)) {
        const result = await safe(sql);
        assert.equal(result.rows[0][0], 'ali******com', sql);
      }
    });


    it('refuses the quoted forms of a direct read', async () => {
      await refused('SELECT "email" FROM "main"."customers"', /is masked/);
      await refused('SELECT [main].[customers].[email] FROM [main].[customers]', /is masked/);
    });

    it("keeps 'email' a string, never a column", async () => {
      const result = await safe("SELECT 'email', \"email\" FROM customers WHERE id = 1");
      assert.deepEqual(result.rows, [['email', 'ali******com']]);
    });
  });

  describe('views created in the database file', () => {
    it('refuses a view that reads a masked column', () => refused('SELECT * FROM customer_contacts', /customers\.email is masked \(read through customer_contacts\)/));
    it('refuses a predicate on it through the view', () => refused("SELECT count(*) FROM customer_contacts WHERE email LIKE 'alice%'", /is masked/));
    it('refuses even its unmasked columns, since the view reads the masked one', () => refused('SELECT name FROM customer_contacts', /is masked/));
    it('allows a view over unmasked data', async () => {
      const result = await safe('SELECT total FROM order_totals ORDER BY customer_id LIMIT 1');
      assert.equal(result.rows.length, 1);
    });
  });

  describe('CTEs and subqueries cannot pose as the masking view', () => {
    for (const sql of [
      'WITH customers AS (SELECT email FROM main.customers) SELECT * FROM customers',
      'WITH customers(email) AS (SELECT email FROM main.customers) SELECT email FROM customers',
      'WITH x AS (SELECT email FROM main.customers) SELECT * FROM x AS customers',
      'SELECT * FROM (SELECT email FROM main.customers) AS customers',
      'WITH "Customers" AS MATERIALIZED (SELECT ssn FROM main.customers) SELECT * FROM "Customers"',
    ]) {
      it(`refuses: ${sql}`, () => refused(sql, /is masked/));
    }

    it('refuses the connection\'s temporary schema, which would name the hidden inner view', async () => {
      await refused('SELECT * FROM sqlite_temp_master', /temporary schema/);
      await refused('SELECT sql FROM temp.sqlite_schema', /temporary schema/);
    });
  });

  describe('planner statistics', () => {
    for (const sql of ['SELECT * FROM sqlite_stat4', 'SELECT sample FROM main.sqlite_stat4 WHERE idx = \'customers_email\'', 'SELECT * FROM sqlite_stat1', "SELECT count(*) FROM sqlite_stat4 WHERE hex(sample) LIKE '%616C696365%'"]) {
      it(`refuses: ${sql}`, () => refused(sql, /sqlite_stat\d cannot be read: the planner's statistics/));
    }
  });

  describe('error messages see masked values only', () => {
    it('shows the masked value where an error quotes one (json path)', async () => {
      // Unmasked, SQLite's error quotes the value: the leak this class is about.
      await assert.rejects(query("SELECT json_extract('{}', email) FROM main.customers WHERE id = 1", UNMASKED), /alice\.liddell/);
      await refused("SELECT json_extract('{}', email) FROM customers WHERE id = 1", /ali\*{6}com/);
      await refused("SELECT json_extract('{}', ssn) FROM customers WHERE id = 1", new RegExp(`JSON path: '${maskValue('md5', SSNS[0])}'`));
    });

    for (const sql of [
      'SELECT json_extract(email, \'$\') FROM customers',
      'SELECT json(email) FROM customers',
      'SELECT CAST(email AS INTEGER), CAST(ssn AS REAL), CAST(born AS NUMERIC) FROM customers',
      "SELECT printf('%d %s', email, ssn) FROM customers",
      'SELECT abs(email) FROM customers',
      "SELECT json_insert(email, '$.a', 1) FROM customers",
      'SELECT 1 / 0 + email FROM customers',
    ]) {
      it(`no secret from: ${sql}`, () => noSecret(sql));
    }

    it('refuses the same casts on the base table', () => refused('SELECT CAST(email AS INTEGER) FROM main.customers', /is masked/));
  });

  describe('inference through joins and predicates', () => {
    it('rebuilds only the masked value character by character through a join', async () => {
      let text = '';
      for (let n = 1; n <= 25; n++) {
        const result = await safe(`SELECT o.id FROM customers c JOIN orders o ON o.id = unicode(substr(c.email, ${n}, 1)) WHERE c.id = 1`);
        if (result.rows.length) text += String.fromCharCode(result.rows[0][0] as number);
      }
      assert.equal(text, 'ali******com');
    });

    it('refuses the join on the base table', () =>
      refused('SELECT o.id FROM main.customers c JOIN orders o ON o.id = unicode(substr(c.email, 4, 1)) WHERE c.id = 1', /is masked/));

    it('evaluates predicates on masked values', async () => {
      const at = await safe("SELECT count(*) FROM customers WHERE instr(email, '@') > 0");
      assert.deepEqual(at.rows, [[0]]);
      const ssn = await safe("SELECT count(*) FROM customers WHERE ssn LIKE '123-%' OR ssn = '123-45-6789'");
      assert.deepEqual(ssn.rows, [[0]]);
      const range = await safe("SELECT count(*) FROM customers WHERE born BETWEEN '1961-01-01' AND '1961-12-31'");
      assert.deepEqual(range.rows, [[0]]);
    });

    it('sorts and groups by masked values', async () => {
      const result = await safe('SELECT email, count(*) FROM customers GROUP BY email ORDER BY email');
      assert.deepEqual(result.rows.map((r) => r[0]), [null, 'ali******com', 'bob******org']);
    });

    it('correlated subqueries see masked values', async () => {
      const result = await safe("SELECT (SELECT count(*) FROM orders o WHERE o.id = length(c.email)) AS n FROM customers c WHERE c.id = 1");
      assert.deepEqual(result.rows, [[1]]); // length('ali******com') = 12, not 25
    });
  });

  describe('pragmas and pragma functions', () => {
    for (const sql of [
      "SELECT * FROM pragma_table_info('customers')",
      "SELECT name FROM pragma_index_info('customers_email')",
      'SELECT * FROM pragma_database_list',
      'SELECT * FROM pragma_table_list',
      "SELECT * FROM pragma_table_xinfo('customers') WHERE name = 'email'",
    ]) {
      it(`refuses: ${sql}`, () => refused(sql, /pragma/i));
    }
    it('refuses PRAGMA statements, even past the keyword check', () => {
      const session = new SqliteSession(join(dir, 'shop.sqlite'), RULES);
      try {
        for (const sql of ['PRAGMA query_only = OFF', 'PRAGMA table_info(customers)', 'PRAGMA writable_schema = ON']) {
          assert.throws(() => session.prepare(sql), /PRAGMA .* is not allowed/, sql);
        }
      } finally {
        session.close();
      }
    });
  });

  describe('attach, schema changes, transactions: refused by the authorizer itself', () => {
    // The engine's keyword check refuses these first; the session (the engine's last line) must too.
    for (const sql of [
      `ATTACH DATABASE '${'/tmp/jit-attach-test.sqlite'}' AS other`,
      "ATTACH 'file::memory:' AS mem",
      'DETACH DATABASE temp',
      'CREATE TEMP VIEW leak AS SELECT email FROM main.customers',
      'DROP VIEW temp.customers',
      'BEGIN',
      "VACUUM INTO '/tmp/jit-vacuum-copy.sqlite'",
      'ANALYZE',
      "INSERT INTO orders VALUES (999, 1, 1)",
      'EXPLAIN SELECT * FROM customers',
      '/* plan */ EXPLAIN QUERY PLAN SELECT id FROM main.customers ORDER BY email',
    ]) {
      it(`refuses: ${sql}`, () => {
        const session = new SqliteSession(join(dir, 'shop.sqlite'), RULES);
        try {
          assert.throws(() => session.prepare(sql), (e: unknown) => e instanceof EngineError && /not allowed|only a read-only query/.test(e.message), sql);
        } finally {
          session.close();
        }
      });
    }
    it('refuses ATTACH through the engine', () => refused("ATTACH DATABASE '/tmp/x.sqlite' AS x", /only a read-only query/));
  });

  describe('functions are checked against an allowlist', () => {
    for (const [sql, name] of [
      ["SELECT load_extension('/tmp/evil.so')", 'load_extension'],
      ["SELECT load_extension('/tmp/evil.so', 'init')", 'load_extension'],
      ["SELECT fts3_tokenizer('simple')", 'fts3_tokenizer'],
      ['SELECT sqlite_compileoption_get(0)', 'sqlite_compileoption_get'],
      ['SELECT sqlite_version()', 'sqlite_version'],
      ['SELECT changes()', 'changes'],
      ['SELECT jit_mask_md5(email, 0) FROM main.customers', 'jit_mask_md5'],
      ["SELECT jit_mask_partial('x', 0)", 'jit_mask_partial'],
      ["WITH x AS (SELECT jit_mask_full(1, 0) AS v) SELECT v FROM x", 'jit_mask_full'],
    ] as const) {
      it(`refuses ${name}(): ${sql}`, () => refused(sql, new RegExp(`${name}\\(\\) (is not allowed|is used by masking views only)|is masked`)));
    }
    it('allows pure built-ins (scalar, aggregate, window, date, math, JSON)', async () => {
      const result = await safe(
        "SELECT upper(name), length(email), sum(id) OVER (), date(born), round(pi(), 2), json_object('n', name), coalesce(ssn, '-') FROM customers ORDER BY id",
      );
      assert.equal(result.rows.length, 3);
      assert.equal(result.rows[0][4], 3.14);
    });
  });

  describe('whole-row and aggregate constructs', () => {
    for (const sql of [
      'SELECT json_group_array(json_array(id, name, email, ssn, born)) FROM customers',
      "SELECT group_concat(email, '|'), string_agg(ssn, ',') FROM customers",
      'SELECT json_object(*) FROM customers',
      'SELECT customers.* FROM customers',
      'SELECT c.* FROM customers AS c, orders o WHERE o.id = c.id',
      'SELECT email FROM customers UNION SELECT ssn FROM customers',
      'SELECT max(email), min(ssn), max(born) FROM customers',
      'SELECT * FROM customers c JOIN json_each(json_array(c.email, c.ssn))',
      'SELECT (SELECT group_concat(email) FROM customers) AS x',
      'VALUES ((SELECT email FROM customers WHERE id = 1))',
    ]) {
      it(`no secret from: ${sql}`, () => noSecret(sql));
    }
    it('refuses the same through the base table', async () => {
      await refused('SELECT json_group_array(json_array(id, name, email)) FROM main.customers', /is masked/);
      await refused("SELECT group_concat(ssn, '|') FROM main.customers", /is masked/);
    });
  });

  describe('recursive CTEs over masked columns', () => {
    it('walks the masked value only', async () => {
      const result = await safe(
        'WITH RECURSIVE r(i, s) AS (SELECT 1, email FROM customers WHERE id = 1 UNION ALL SELECT i + 1, substr(s, 2) FROM r WHERE i < 30) SELECT group_concat(s) FROM r',
      );
      assert.match(String(result.rows[0][0]), /^ali\*{6}com,/);
    });
    it('no secret from a recursive char-by-char walk', () =>
      noSecret("WITH RECURSIVE r(i, c) AS (SELECT 1, '' UNION ALL SELECT i + 1, (SELECT substr(ssn, i, 1) FROM customers WHERE id = 1) FROM r WHERE i < 12) SELECT group_concat(c, '') FROM r"));
    it('refuses a recursive CTE over the base table', () =>
      refused('WITH RECURSIVE r(i, s) AS (SELECT 1, email FROM main.customers UNION ALL SELECT i + 1, substr(s, 2) FROM r WHERE i < 30) SELECT * FROM r', /is masked/));
    it('refuses a recursive CTE named like the masking view', () =>
      refused('WITH RECURSIVE customers(i, email) AS (SELECT 1, email FROM main.customers UNION ALL SELECT i + 1, email FROM customers WHERE i < 2) SELECT * FROM customers', /is masked/));
  });
});
