// Issue 13 on real MariaDB, with the account an operator typically hands the service (ALL
// PRIVILEGES ON *.* WITH GRANT OPTION): the engine, not our reading of the SQL, keeps masked
// values masked and other databases out of reach. Every attempt runs both as a query and as a
// streamed export, and no secret may appear in rows, column names or error messages.
import assert from 'node:assert/strict';
import mysql from 'mysql2/promise';
import { EngineError, type MaskedColumnRule, type RunScope } from '../../server/engines/engine.js';
import { createMysqlEngine, type MysqlEngine } from '../../server/engines/mysql.js';
import { identityNames, maskDatabaseName } from '../../server/engines/mysql-provision.js';
import { maskValue } from '../../server/masking/algorithms.js';

const LIMITS = { timeoutMs: 10_000, maxRows: 1000 };
const RULES: MaskedColumnRule[] = [
  { table: 'customers', column: 'email', algorithm: 'partial' },
  { table: 'customers', column: 'card', algorithm: 'full' },
  { table: 'customers', column: 'born', algorithm: 'md5' },
];
const MASKED: RunScope = { unmask: false, masking: RULES };
const UNMASKED: RunScope = { unmask: true, masking: RULES };
const SECRETS = [
  'carol.secret', 'dave.hidden', 'secret@', 'hidden@', '4111', 'vault-secret', '1980-05-06', 'service-pw', 'admin-pw',
];
/** A password hash as mysql.user shows it. */
const HASH = /\*[0-9A-F]{40}/;

const need = (name: string): string => process.env[name] ?? assert.fail(`${name} is not set: run through test/setup/db-servers.sh`);
const secrets = { password: (instance: string, identity: string) => `pw-${instance}-${identity}-k1` };

function assertNoSecret(text: string, what: string) {
  for (const s of SECRETS) assert.ok(!text.toLowerCase().includes(s.toLowerCase()), `${what} reveals "${s}": ${text}`);
  assert.doesNotMatch(text, HASH, `${what} reveals a password hash`);
}

interface Outcome {
  rows?: unknown[][];
  columns?: { name: string; masked?: boolean }[];
  error?: EngineError;
}

describe('mysql masking and scope enforced by the engine (MariaDB)', function () {
  let engine: MysqlEngine;
  let admin: mysql.Pool;

  /** Runs `sql` as a query and as an export; both must agree and reveal nothing. */
  async function attempt(sql: string, scope: RunScope = MASKED): Promise<Outcome> {
    const outcome = async (work: () => Promise<{ rows: unknown[][]; columns: Outcome['columns'] }>): Promise<Outcome> => {
      try {
        return await work();
      } catch (error) {
        assert.ok(error instanceof EngineError, `not an EngineError: ${String(error)}`);
        return { error };
      }
    };
    const query = await outcome(() => engine.query('crm', sql, LIMITS, scope));
    const exported = await outcome(async () => {
      const cursor = await engine.open('crm', sql, LIMITS, scope);
      const rows: unknown[][] = [];
      try {
        for await (const batch of cursor.batches()) rows.push(...batch);
      } finally {
        await cursor.close();
      }
      return { rows, columns: cursor.columns };
    });
    if (scope.unmask) return query;
    for (const [what, o] of [['query', query], ['export', exported]] as const) {
      assertNoSecret(JSON.stringify(o.rows ?? []) + JSON.stringify(o.columns ?? []), `${what} of ${sql}: result`);
      if (o.error) assertNoSecret(o.error.message, `${what} of ${sql}: error`);
    }
    assert.equal(Boolean(query.error), Boolean(exported.error), `query and export disagree on ${sql}`);
    return query;
  }

  async function refused(sql: string, scope: RunScope = MASKED, message?: RegExp): Promise<EngineError> {
    const o = await attempt(sql, scope);
    assert.ok(o.error, `expected ${sql} to be refused, got ${JSON.stringify(o.rows)}`);
    if (message) assert.match(o.error.message, message);
    return o.error;
  }

  async function runs(sql: string, scope: RunScope = MASKED): Promise<unknown[][]> {
    const o = await attempt(sql, scope);
    assert.ok(!o.error, `${sql} failed: ${o.error?.message}`);
    return o.rows!;
  }

  before(async function () {
    this.timeout(120_000);
    engine = createMysqlEngine({ url: need('JIT_TEST_MYSQL_SERVICE_URL'), instanceId: 'masktest', secrets, maxConnections: 1 });
    admin = mysql.createPool({ uri: need('JIT_TEST_MYSQL_ADMIN_URL'), connectionLimit: 2, multipleStatements: true });
    await runs('SELECT 1');
  });
  after(async () => {
    await engine?.close();
    await admin?.end();
  });

  describe('provisioning', () => {
    it('gives the identities no privilege but their own database (login identities, no roles)', async () => {
      const ids = identityNames('masktest', 'crm');
      const grants = async (user: string) =>
        ((await admin.query(`SHOW GRANTS FOR '${user}'@'127.0.0.1'`))[0] as Record<string, string>[]).map((r) => Object.values(r)[0].replace(/ IDENTIFIED BY PASSWORD '[^']*'/, ''));
      assert.deepEqual(await grants(ids.masked), [
        `GRANT USAGE ON *.* TO \`${ids.masked}\`@\`127.0.0.1\``,
        `GRANT SELECT ON \`${maskDatabaseName('crm')}\`.* TO \`${ids.masked}\`@\`127.0.0.1\``,
      ]);
      const unmask = await grants(ids.unmask);
      assert.equal(unmask[0], `GRANT USAGE ON *.* TO \`${ids.unmask}\`@\`127.0.0.1\``);
      assert.deepEqual(unmask.slice(1).sort(), [
        `GRANT SELECT ON \`crm\`.\`customers\` TO \`${ids.unmask}\`@\`127.0.0.1\``,
        `GRANT SELECT ON \`crm\`.\`orders\` TO \`${ids.unmask}\`@\`127.0.0.1\``,
      ]);
    });

    it('computes masks in SQL exactly as server/masking/algorithms.ts does', async () => {
      const algorithms = ['full', 'partial', 'md5'] as const;
      for (const algorithm of algorithms) {
        const rules: MaskedColumnRule[] = ['name', 'email', 'card', 'born', 'note'].map((column) => ({ table: 'customers', column, algorithm }));
        const sql = 'SELECT id, name, email, card, born, note FROM customers ORDER BY id';
        const plain = await engine.query('crm', sql, LIMITS, { unmask: true, masking: rules });
        const masked = await engine.query('crm', sql, LIMITS, { unmask: false, masking: rules });
        assert.deepEqual(masked.rows, plain.rows.map((row) => row.map((cell, i) => (i === 0 ? cell : maskValue(algorithm, cell)))), algorithm);
        assert.deepEqual(masked.columns.map((c) => c.masked), [false, true, true, true, true, true], algorithm);
        assert.deepEqual(plain.columns.map((c) => c.masked), [false, false, false, false, false, false]);
      }
    });

    it('masks a column whose rule names its table in another case or as "db.table"', async () => {
      for (const table of ['Customers', 'crm.customers', 'CRM.CUSTOMERS']) {
        const scope: RunScope = { unmask: false, masking: [{ table, column: 'EMAIL', algorithm: 'full' }] };
        const r = await engine.query('crm', 'SELECT email FROM customers WHERE id = 1', LIMITS, scope);
        assert.deepEqual([r.rows, r.columns[0].masked], [[['******']], true], table);
      }
    });

    it('flags masked columns from the view lineage', async () => {
      const r = await engine.query('crm', 'SELECT id, name, email, card FROM customers', LIMITS, MASKED);
      assert.deepEqual(r.columns.map((c) => [c.name, c.masked]), [['id', false], ['name', false], ['email', true], ['card', true]]);
      assert.deepEqual(r.rows[0], [1, 'Carol', 'car******org', '******']);
    });

    it('re-provisions when a table is added or the masking rules change', async () => {
      await admin.query('CREATE TABLE crm.late (id int, email varchar(100)); INSERT INTO crm.late VALUES (1, "late.secret@example.org")');
      try {
        const scope: RunScope = { unmask: false, masking: [...RULES, { table: 'late', column: 'email', algorithm: 'full' }] };
        assert.deepEqual((await engine.query('crm', 'SELECT id, email FROM late', LIMITS, scope)).rows, [[1, '******']]);
        assert.deepEqual((await engine.query('crm', 'SELECT email FROM customers WHERE id = 2', LIMITS, scope)).rows, [['dav******org']]);
        const fewer: RunScope = { unmask: false, masking: RULES.filter((r) => r.column !== 'email') };
        assert.deepEqual((await engine.query('crm', 'SELECT email FROM customers WHERE id = 2', LIMITS, fewer)).rows, [['dave.hidden@example.org']]);
      } finally {
        await admin.query('DROP TABLE crm.late');
      }
      assert.ok((await attempt('SELECT * FROM late')).error);
    });

    it('refuses every run on an instance the service may not provision, saying how to provision', async () => {
      const reader = createMysqlEngine({ url: need('JIT_TEST_MYSQL_URL'), instanceId: 'readeronly', secrets });
      try {
        for (const scope of [MASKED, UNMASKED, { unmask: false, masking: [] }]) {
          const error = await reader.query('shop', 'SELECT name FROM employees', LIMITS, scope).then(() => assert.fail('ran'), (e: unknown) => e as EngineError);
          assert.equal(error.kind, 'unavailable');
          assert.match(error.message, /npx jit-server provision --instance readeronly/);
        }
      } finally {
        await reader.close();
      }
    });

    it('refuses masked data on an engine without identities', async () => {
      const plain = createMysqlEngine({ url: need('JIT_TEST_MYSQL_SERVICE_URL') });
      try {
        const error = await plain.query('crm', 'SELECT email FROM customers', LIMITS, MASKED).then(() => assert.fail('ran'), (e: unknown) => e as EngineError);
        assert.match(error.message, /jit-server provision/);
      } finally {
        await plain.close();
      }
    });

    it('works from the printed script on an account that may not provision, and refuses once it is stale', async () => {
      await admin.query(`CREATE USER IF NOT EXISTS 'jit_limited'@'127.0.0.1' IDENTIFIED BY 'limited-pw';
        GRANT SELECT ON crm.* TO 'jit_limited'@'127.0.0.1'; GRANT SELECT ON jit_mask_crm.* TO 'jit_limited'@'127.0.0.1'`);
      const url = new URL(need('JIT_TEST_MYSQL_URL'));
      url.username = 'jit_limited';
      url.password = 'limited-pw';
      const limited = createMysqlEngine({ url: url.toString(), instanceId: 'dba', secrets });
      try {
        const script = await limited.provisionScript([{ name: 'crm', masking: RULES }]);
        assert.match(script, /CREATE OR REPLACE DEFINER = CURRENT_USER SQL SECURITY DEFINER VIEW `jit_mask_crm`.`customers`/);
        const before = await limited.query('crm', 'SELECT 1', LIMITS, MASKED).then(() => undefined, (e: unknown) => e as EngineError);
        assert.match(before?.message ?? 'ran before provisioning', /npx jit-server provision --instance dba/);
        await admin.query(script);
        assert.deepEqual((await limited.query('crm', 'SELECT email FROM customers WHERE id = 1', LIMITS, MASKED)).rows, [['car******org']]);
        assert.deepEqual((await limited.query('crm', 'SELECT email FROM customers WHERE id = 1', LIMITS, UNMASKED)).rows, [['carol.secret@example.org']]);
        const changed = { unmask: false, masking: RULES.filter((r) => r.column !== 'card') };
        const stale = await limited.query('crm', 'SELECT card FROM customers', LIMITS, changed).then(() => undefined, (e: unknown) => e as EngineError);
        assert.match(stale?.message ?? 'ran on stale provisioning', /changed since it was provisioned.*npx jit-server provision --instance dba/);
      } finally {
        await limited.close();
        await admin.query("DROP USER IF EXISTS 'jit_limited'@'127.0.0.1'");
        // Back to the rules the other cases use (the masking database is shared per source database).
        await engine.query('crm', 'SELECT 1', LIMITS, MASKED);
      }
    });
  });

  describe('reads outside the grant are denied by the server', () => {
    const cases = [
      'SELECT * FROM vault.secrets',
      'SELECT secret FROM `vault`.`secrets`',
      'SELECT email FROM customers UNION SELECT secret FROM vault.secrets',
      'SELECT (SELECT secret FROM vault.secrets LIMIT 1) AS s',
      'SELECT User, Password, authentication_string FROM mysql.user',
      'SELECT * FROM mysql.global_priv',
      'SELECT * FROM mysql.column_stats',
      'SELECT min_value, max_value FROM mysql.column_stats WHERE db_name = "crm"',
      'SELECT email FROM crm.customers',
      'SELECT c.email FROM crm.customers c JOIN customers d ON d.id = c.id',
      'SELECT * FROM crm.customer_contacts',
    ];
    for (const sql of cases) {
      for (const scope of [MASKED, UNMASKED]) {
        // Unmasked, crm's own base tables are in scope.
        if (scope.unmask && /crm\.customers/.test(sql)) continue;
        it(`${scope.unmask ? 'unmasked' : 'masked'}: ${sql}`, async () => {
          const error = await refused(sql, scope);
          assertNoSecret(error.message, sql);
        });
      }
    }

    it('shows no statistics or definitions with values in information_schema', async () => {
      for (const sql of [
        "SELECT * FROM information_schema.STATISTICS WHERE TABLE_SCHEMA IN ('crm', 'vault')",
        'SELECT * FROM information_schema.COLUMNS',
        'SELECT * FROM information_schema.VIEWS',
        'SELECT * FROM information_schema.TABLES',
        'SELECT * FROM information_schema.PROCESSLIST',
      ]) {
        const o = await attempt(sql);
        assert.ok(!JSON.stringify(o.rows ?? []).includes('vault'), `${sql} shows another database`);
      }
    });
  });

  describe('masked values stay masked through constructs the gate does not model', () => {
    const cases: [string, unknown[][] | null][] = [
      ["SELECT JSON_OBJECT('e', email, 'c', card) AS j FROM customers WHERE id = 1", [['{"e":"car******org","c":"******"}']]],
      ["SELECT CONCAT_WS(',', name, email, card) AS x FROM customers WHERE id = 1", [['Carol,car******org,******']]],
      ['SELECT GROUP_CONCAT(email ORDER BY id) AS g FROM customers', [['car******org,dav******org,é******r']]],
      ['SELECT (SELECT email FROM customers WHERE id = 1) AS e', [['car******org']]],
      ['SELECT x FROM (SELECT email AS x FROM customers WHERE id = 1) d', [['car******org']]],
      ['WITH c AS (SELECT email FROM customers WHERE id = 1) SELECT * FROM c', [['car******org']]],
      ['SELECT MIN(email), MAX(card) FROM customers', [['car******org', '******']]],
      ['SELECT FIRST_VALUE(email) OVER (ORDER BY id) FROM customers WHERE id = 1', [['car******org']]],
      ['SELECT HEX(email), LENGTH(email), MD5(card) FROM customers WHERE id = 1', null],
      ['SELECT REVERSE(email), SUBSTRING(email, 4, 6) FROM customers WHERE id = 1', [['gro******rac', '******']]],
      ['SELECT born FROM customers WHERE id = 1', [[maskValue('md5', '1980-05-06T07:08:09Z')]]],
      // Errors and warnings that quote values quote masked ones.
      ["SELECT JSON_EXTRACT(email, '$.a') FROM customers", null],
      ["SELECT JSON_VALUE(CONCAT('{\"a\":', email, '}'), '$.a') FROM customers", null],
      ['SELECT CAST(email AS DECIMAL(10, 2)) FROM customers', null],
      ['SELECT CAST(email AS DATE) FROM customers', null],
      ['SELECT 1 FROM customers WHERE email = 1', null],
      ['SELECT ST_GeomFromText(email) FROM customers', null],
      ["SELECT EXTRACTVALUE(email, '/a') FROM customers", null],
      // The database's own view reads customers.email: not exposed in masked runs.
      ['SELECT * FROM customer_contacts', null],
    ];
    for (const [sql, expected] of cases) {
      it(sql, async () => {
        const o = await attempt(sql);
        if (expected) assert.deepEqual(o.rows, expected, o.error?.message);
      });
    }

    it('refuses the database views in masked runs, with a message naming them', async () => {
      await refused('SELECT * FROM customer_contacts', MASKED, /customer_contacts.*not its views/);
    });
  });

  describe('the statement is read as MariaDB reads it', () => {
    it('"--" without a space is two minus signs, not a comment', async () => {
      assert.deepEqual(await runs('SELECT 1--1 AS x'), [[2]]);
      await refused("SELECT 1--1 AS x, GET_LOCK('jit_probe', 0)", MASKED, /GET_LOCK\(\) is not allowed/);
    });
    it('"#" and "-- " are comments', async () => {
      assert.deepEqual(await runs("SELECT 1 # , GET_LOCK('jit_probe', 0)\n AS x"), [[1]]);
      assert.deepEqual(await runs("SELECT 1 -- , GET_LOCK('jit_probe', 0)\n AS x"), [[1]]);
    });
    it('refuses executable comments', async () => {
      for (const sql of ['SELECT /*! email */ FROM customers', 'SELECT 1 /*!50000 , email */ FROM customers', 'SELECT 1 /*M!100000 , email */ FROM customers']) {
        await refused(sql, MASKED, /executable comments/);
      }
    });
    it('reads backslash escapes in strings as the server does', async () => {
      await refused("SELECT '\\' , ' AS a, GET_LOCK('jit_probe', 0) AS b", MASKED, /GET_LOCK/);
      assert.deepEqual(await runs("SELECT 'a\\'b' AS s"), [["a'b"]]);
    });
    it('reads backticks and double quotes as the server does (ANSI_QUOTES off, whatever the server default)', async () => {
      assert.deepEqual(await runs('SELECT `email` FROM customers WHERE id = 1'), [['car******org']]);
      assert.deepEqual(await runs('SELECT "email" AS s'), [['email']]);
      await refused("SELECT `get_lock`('jit_probe', 0)", MASKED, /get_lock/);
      await refused('SELECT crm.`secret_fn`(1)', MASKED, /secret_fn/);
      await admin.query("SET GLOBAL sql_mode = 'ANSI_QUOTES,NO_BACKSLASH_ESCAPES'");
      try {
        const fresh = createMysqlEngine({ url: need('JIT_TEST_MYSQL_SERVICE_URL'), instanceId: 'masktest', secrets });
        try {
          assert.deepEqual((await fresh.query('crm', 'SELECT "email" AS s', LIMITS, MASKED)).rows, [['email']]);
          assert.deepEqual((await fresh.query('crm', "SELECT 'a\\'b' AS s", LIMITS, MASKED)).rows, [["a'b"]]);
        } finally {
          await fresh.close();
        }
      } finally {
        await admin.query("SET GLOBAL sql_mode = DEFAULT");
      }
    });
  });

  describe('a read-only run has no side effects', () => {
    const lockHeld = async () => ((await admin.query("SELECT IS_USED_LOCK('jit_probe') AS l"))[0] as { l: unknown }[])[0].l;
    for (const sql of [
      "SELECT GET_LOCK('jit_probe', 0)",
      "SELECT get_lock ('jit_probe', 0)",
      "SELECT GET_LOCK/**/('jit_probe', 0)",
      "SELECT IS_USED_LOCK('x'), IS_FREE_LOCK('x')",
      'SELECT RELEASE_ALL_LOCKS()',
      'SELECT SLEEP(5)',
      "SELECT BENCHMARK(100000000, MD5('x'))",
      "SELECT LOAD_FILE('/etc/hostname')",
      'SELECT LAST_INSERT_ID(5)',
      "SELECT MASTER_POS_WAIT('x', 1)",
    ]) {
      it(`refuses ${sql}, naming the function`, async () => {
        const error = await refused(sql);
        assert.match(error.message, /the function \S+\(\) is not allowed/);
        assert.equal(await lockHeld(), null);
      });
    }
    it('refuses SET of variables', async () => {
      for (const sql of ['SET @x = 1', 'SET SESSION sql_mode = "ANSI_QUOTES"', 'SET @@session.max_statement_time = 0']) await refused(sql);
    });
    it('keeps the time limit for runs as an identity, and stays usable after', async () => {
      const slow = 'SELECT COUNT(*) FROM orders a, orders b, orders c, orders d, orders e WHERE a.id + b.id + c.id + d.id + e.id > 0';
      for (const scope of [MASKED, UNMASKED]) {
        const error = await engine.query('crm', slow, { ...LIMITS, timeoutMs: 500 }, scope).then(() => assert.fail('ran'), (e: unknown) => e as EngineError);
        assert.equal(error.kind, 'timeout');
        assert.deepEqual((await engine.query('crm', 'SELECT 1 AS one', LIMITS, scope)).rows, [[1]]);
      }
    });

    it('lets no user variable or session setting outlive a run on the pooled connection', async () => {
      await runs('SELECT @x := email AS e FROM customers WHERE id = 1');
      assert.deepEqual(await runs('SELECT @x AS x'), [[null]]);
      const timeLimit = await runs('SELECT @@session.max_statement_time AS t');
      assert.equal(Number(timeLimit[0][0]), 10);
    });
  });

  describe('inference through predicates and joins sees only masked values', () => {
    it('rebuilds only the masked value character by character through a join', async () => {
      const rows = await runs(
        'SELECT s.seq, o.id FROM customers c JOIN seq_1_to_30 s JOIN orders o ON o.id = ASCII(SUBSTR(c.email, s.seq, 1)) WHERE c.id = 1 ORDER BY s.seq',
      );
      assert.equal(rows.map((r) => String.fromCharCode(Number(r[1]))).join(''), 'car******org');
    });
    it('matches predicates against the masked value only', async () => {
      assert.deepEqual(await runs("SELECT id FROM customers WHERE email LIKE 'carol%'"), []);
      assert.deepEqual(await runs("SELECT id FROM customers WHERE email = 'carol.secret@example.org'"), []);
      assert.deepEqual(await runs("SELECT id FROM customers WHERE card LIKE '4111%'"), []);
      assert.deepEqual(await runs("SELECT id FROM customers WHERE INSTR(email, 'secret') > 0"), []);
      assert.deepEqual(await runs('SELECT LENGTH(email) FROM customers WHERE id = 1'), [[12]]);
      assert.deepEqual(await runs("SELECT id FROM customers WHERE email LIKE 'car%' ORDER BY id"), [[1]]);
    });
    it('unmasked, the same statements see the values (the identity is the only difference)', async () => {
      assert.deepEqual((await attempt("SELECT id FROM customers WHERE email LIKE 'carol%'", UNMASKED)).rows, [[1]]);
    });
  });
});
