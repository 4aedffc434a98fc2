// Issue 13 on real PostgreSQL, with the account an operator typically gives the service: the
// database OWNER with CREATEROLE (not a superuser). The engine enforces masking with the
// database's own access control (least-privilege identities, masking views), so every case
// here either returns only masked values — in rows and in errors — or is refused. Cases come
// from PostgreSQL's manual: whole-row references, column alias lists, ONLY, functions that read
// a table by name or run SQL text, views, planner statistics, errors quoting a value, lexing
// (nested comments, ARRAY[…], U&"…", E'…', dollar quotes), side effects (signals, advisory
// locks), and inference through joins and predicates.
import assert from 'node:assert/strict';
import pg from 'pg';
import { EngineError, type Engine, type EngineResult, type MaskedColumnRule, type RunScope } from '../../server/engines/engine.js';
import { createPostgresEngine } from '../../server/engines/postgres.js';
import { identitiesFor } from '../../server/engines/postgres-provision.js';
import { maskValue } from '../../server/masking/algorithms.js';

const need = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the engine tests through test/setup/db-servers.sh`);
  return value;
};

const LIMITS = { timeoutMs: 10_000, maxRows: 1000 };
const DB = 'crm';
const RULES: MaskedColumnRule[] = [
  { table: 'customers', column: 'email', algorithm: 'partial' },
  { table: 'customers', column: 'phone', algorithm: 'full' },
  { table: 'customers', column: 'salary', algorithm: 'md5' },
  { table: 'customers', column: 'notes', algorithm: 'full' },
  { table: 'hr.staff', column: 'ssn', algorithm: 'partial' },
];
const MASKED: RunScope = { unmask: false, masking: RULES };
const UNMASK: RunScope = { unmask: true, masking: RULES };
/** Fragments of the seeded secrets that no mask keeps. */
const SECRETS = ['alice.secret', 'e.secret@', 'b.hidden', 'vera.vip', 'a.vip@', '555-01', '91234', '87654', '123456', '4111', 'SECRET', '05-11', '09-99'];

function assertNoSecret(text: string, what: string) {
  for (const s of SECRETS) assert.ok(!text.includes(s), `${what} reveals "${s}": ${text.slice(0, 500)}`);
}

const secrets = { password: (instance: string, identity: string) => `test-${instance}-${identity}-pw` };

/** Runs in masked mode: either a result without a secret, or an EngineError without one. */
async function attempt(engine: Engine, sql: string, scope: RunScope = MASKED): Promise<EngineResult | EngineError> {
  try {
    const result = await engine.query(DB, sql, LIMITS, scope);
    assertNoSecret(JSON.stringify(result), `the result of ${sql}`);
    return result;
  } catch (error) {
    assert.ok(error instanceof EngineError, `${sql}: ${String(error)}`);
    assertNoSecret(error.message, `the error of ${sql}`);
    return error;
  }
}

async function refused(engine: Engine, sql: string, pattern?: RegExp): Promise<EngineError> {
  const outcome = await attempt(engine, sql);
  assert.ok(outcome instanceof EngineError, `${sql} was not refused: ${JSON.stringify(outcome)}`);
  if (pattern) assert.match(outcome.message, pattern);
  return outcome;
}

describe('PostgreSQL masking enforced by the engine (issue 13)', function () {
  let engine: Engine;
  let admin: pg.Pool;
  let owner: pg.Pool;
  const ids = identitiesFor('mt', DB, secrets);

  before(async () => {
    engine = createPostgresEngine({ url: need('JIT_TEST_PG_OWNER_URL'), instanceId: 'mt', secrets, maxConnections: 1 });
    admin = new pg.Pool({ connectionString: `${need('JIT_TEST_PG_ADMIN_URL')}/${DB}`, max: 2 });
    owner = new pg.Pool({ connectionString: `${need('JIT_TEST_PG_OWNER_URL')}/${DB}`, max: 1 });
    // The first run provisions (the owner has CREATEROLE).
    await engine.query(DB, 'SELECT 1', LIMITS, MASKED);
  });
  after(async () => {
    await engine?.close();
    await admin?.end();
    await owner?.end();
  });

  describe('masked values through constructs the gate does not model', () => {
    const cases = [
      'SELECT c FROM customers c',
      'SELECT row_to_json(c) FROM customers c',
      'SELECT to_jsonb(c) FROM customers c',
      'SELECT c::text FROM customers c',
      'SELECT (c).* FROM customers c',
      'SELECT xmlforest(c.email, c.phone, c.notes) FROM customers c',
      'SELECT xmlelement(name r, xmlattributes(email AS e)) FROM customers',
      'SELECT x, y, z FROM customers AS c(x, y, z)',
      'SELECT to_json(c) FROM customers AS c(a, b, x, y, z)',
      'SELECT * FROM ONLY customers',
      'SELECT * FROM customers WHERE id IN (SELECT id FROM ONLY customers)',
      'SELECT string_agg(email || phone || salary::text, \',\') FROM customers',
      'WITH t AS (SELECT * FROM customers) SELECT t FROM t',
      'SELECT ssn FROM staff',
      'SELECT s FROM staff s',
      "SELECT ARRAY[email, phone] FROM customers",
      "SELECT jsonb_path_query(to_jsonb(c), '$.email') FROM customers c",
    ];
    for (const sql of cases) {
      it(`returns masked values only: ${sql}`, async () => {
        const outcome = await attempt(engine, sql);
        assert.ok(!(outcome instanceof EngineError), `${sql} failed: ${(outcome as EngineError).message}`);
      });
    }

    const refusedCases: [string, RegExp][] = [
      ['SELECT * FROM public.customers', /permission denied/],
      ['SELECT * FROM hr.staff', /permission denied/],
      ['SELECT * FROM customer_contacts', /permission denied/],
      ['SELECT * FROM contact_digest', /permission denied/],
      ['SELECT * FROM invoker_contacts', /permission denied/],
      ['SELECT * FROM customer_stats', /permission denied/],
      ['SELECT * FROM vip_customers', /permission denied/],
      ["SELECT table_to_xml('public.customers', true, false, '')", /table_to_xml\(\) is not allowed/],
      ["SELECT query_to_xml('select email from public.customers', true, false, '')", /query_to_xml\(\) is not allowed/],
      ["SELECT cursor_to_xml('c', 1, true, false, '')", /cursor_to_xml\(\) is not allowed/],
      ["SELECT * FROM ts_stat('select to_tsvector(email) from public.customers')", /ts_stat\(\) is not allowed/],
      ["SELECT schema_to_xml('public', true, false, '')", /schema_to_xml\(\) is not allowed/],
      ['SELECT * FROM pg_statistic', /permission denied/],
    ];
    for (const [sql, pattern] of refusedCases) {
      it(`refuses: ${sql}`, async () => {
        await refused(engine, sql, pattern);
      });
    }

    it('shows no statistics of masked columns (pg_stats)', async () => {
      await admin.query('ANALYZE customers; ANALYZE hr.staff');
      const r = await attempt(engine, "SELECT attname, most_common_vals::text, histogram_bounds::text FROM pg_stats WHERE tablename IN ('customers', 'staff', 'vip_customers')");
      assert.ok(!(r instanceof EngineError));
      assert.deepEqual(r.rows, []);
    });

    it('quotes no value in errors (casts, JSON, JSON path)', async () => {
      for (const sql of [
        'SELECT email::int FROM customers',
        'SELECT phone::numeric FROM customers',
        'SELECT notes::jsonb FROM customers WHERE id = 1',
        "SELECT jsonb_path_query(jsonb_build_object('e', email), 'strict $.e.x') FROM customers",
        "SELECT to_date(email, 'YYYY') FROM customers",
        "SELECT email::inet FROM customers",
      ]) {
        await attempt(engine, sql);
      }
    });

    it('lets views over tables without masked columns be read', async () => {
      const r = await attempt(engine, 'SELECT * FROM order_items ORDER BY id LIMIT 2');
      assert.ok(!(r instanceof EngineError), String(r));
      assert.deepEqual(r.rows, [[1, 'item 1'], [2, 'item 2']]);
    });
  });

  describe('masking algorithms computed in SQL', () => {
    it('masks exactly as server/masking/algorithms.ts, and flags the masked columns', async () => {
      await admin.query(`INSERT INTO customers VALUES (50, 'Üma', 'ünïcødé.sëcret@exämple.com', 'ab', 5, '{}')`);
      try {
        const sql = 'SELECT id, name, email, phone, salary, notes FROM customers ORDER BY id';
        const plain = await engine.query(DB, sql, LIMITS, UNMASK);
        const masked = await engine.query(DB, sql, LIMITS, MASKED);
        const algorithms = [null, null, 'partial', 'full', 'md5', 'full'] as const;
        assert.deepEqual(masked.columns.map((c) => c.masked), algorithms.map((a) => a !== null));
        assert.deepEqual(plain.columns.map((c) => c.masked), algorithms.map(() => false));
        assert.deepEqual(masked.columns.map((c) => c.source?.table), algorithms.map(() => 'customers'));
        const expected = plain.rows.map((row) => row.map((v, i) => (algorithms[i] ? maskValue(algorithms[i]!, v) : v)));
        assert.deepEqual(masked.rows, expected);
        assert.equal(masked.rows[0][2], 'ali******com');
        assert.equal(masked.rows.find((r) => r[0] === 3)![2], 'c******o');
        assert.equal(masked.rows.find((r) => r[0] === 2)![3], null);
      } finally {
        await admin.query('DELETE FROM customers WHERE id = 50');
      }
    });

    it('flags a computed column over a masked table', async () => {
      const r = await engine.query(DB, 'SELECT id, upper(email) AS shout FROM customers', LIMITS, MASKED);
      assert.deepEqual(r.columns.map((c) => c.masked), [false, true]);
    });
  });

  describe('lexing that agrees with the engine', () => {
    const cases: [string, RegExp][] = [
      ["SELECT 1 /* /* */ ' */ , pg_terminate_backend(pg_backend_pid()) --'", /pg_terminate_backend\(\) is not allowed/],
      ['SELECT ARRAY[1, pg_cancel_backend(pg_backend_pid())]', /pg_cancel_backend\(\) is not allowed/],
      ['SELECT (ARRAY[1])[pg_advisory_lock(7)]', /pg_advisory_lock\(\) is not allowed/],
      ['SELECT U&"\\0070g_terminate_backend"(1)', /Unicode-escaped/],
      ["SELECT U&'\\0027', pg_advisory_lock(3)", /pg_advisory_lock\(\) is not allowed/],
      ["SELECT E'\\'', pg_advisory_lock(1) -- '", /pg_advisory_lock\(\) is not allowed/],
      ['SELECT $a$ $b$ $a$, pg_advisory_lock(2)', /pg_advisory_lock\(\) is not allowed/],
      ['SELECT 1 -- x\r, pg_advisory_lock(4)', /pg_advisory_lock\(\) is not allowed/],
      ['SELECT pg_catalog."pg_terminate_backend"(1)', /pg_terminate_backend\(\) is not allowed/],
      ['SELECT "set_config"(\'role\', \'jit_owner\', false)', /set_config\(\) is not allowed/],
      ['/* /* */ DELETE FROM orders */ DELETE FROM orders', /read-only/],
    ];
    for (const [sql, pattern] of cases) {
      it(`refuses: ${JSON.stringify(sql)}`, async () => {
        await refused(engine, sql, pattern);
      });
    }

    it('reads a nested comment as one comment, as PostgreSQL does', async () => {
      const r = await attempt(engine, '/* /* */ SELECT email FROM public.customers */ SELECT name FROM customers ORDER BY id LIMIT 1');
      assert.ok(!(r instanceof EngineError), String(r));
      assert.deepEqual(r.rows, [['Alice']]);
    });
  });

  describe('no side effects of a read-only run', () => {
    it('refuses signalling another session of the same role, also from SQL text', async () => {
      const url = new URL(need('JIT_TEST_PG_OWNER_URL'));
      url.username = ids.masked;
      url.password = encodeURIComponent(ids.passwords.masked);
      url.pathname = `/${DB}`;
      const other = new pg.Client({ connectionString: url.toString() });
      await other.connect();
      try {
        const pid = (await other.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
        await refused(engine, `SELECT pg_terminate_backend(${pid})`, /pg_terminate_backend\(\) is not allowed/);
        await refused(engine, `SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE usename = current_user`, /pg_cancel_backend\(\) is not allowed/);
        await refused(engine, `SELECT query_to_xml('select pg_terminate_backend(${pid})', true, false, '')`, /not allowed/);
        assert.equal((await other.query('SELECT 1 AS one')).rows[0].one, 1, 'the other session survived');
      } finally {
        await other.end();
      }
    });

    it('leaves no advisory lock and no setting behind on the pooled session', async () => {
      for (const sql of ['SELECT pg_advisory_lock(42)', 'SELECT pg_try_advisory_lock(42)', 'SELECT pg_advisory_lock_shared(42)', "SELECT set_config('statement_timeout', '0', false)"]) {
        await refused(engine, sql, /not allowed/);
      }
      await engine.query(DB, 'SELECT 1', LIMITS, MASKED);
      const locks = await admin.query("SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory'");
      assert.equal(locks.rows[0].n, 0);
      // The pooled session is reset: nothing of the run's transaction-local settings remains.
      const idle = await admin.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = $1 AND state = 'idle in transaction'", [ids.masked]);
      assert.equal(idle.rows[0].n, 0);
    });

    it('runs as the identity, which cannot become another role', async () => {
      const r = await engine.query(DB, 'SELECT current_user, session_user', LIMITS, MASKED);
      assert.deepEqual(r.rows, [[ids.masked, ids.masked]]);
      const u = await engine.query(DB, 'SELECT current_user', LIMITS, UNMASK);
      assert.deepEqual(u.rows, [[ids.unmask]]);
    });
  });

  describe('inference through joins and predicates', () => {
    it('recovers only the masked value character by character', async () => {
      let recovered = '';
      for (let n = 1; n <= 24; n++) {
        const r = await engine.query(DB, `SELECT chr(o.id) FROM orders o JOIN customers c ON o.id = ascii(substr(c.email, ${n}, 1)) WHERE c.id = 1`, LIMITS, MASKED);
        recovered += (r.rows[0]?.[0] as string | undefined) ?? '';
      }
      assert.equal(recovered, 'ali******com');
    });

    it('matches predicates against masked values only', async () => {
      for (const sql of [
        "SELECT count(*) FROM customers WHERE email = 'alice.secret@example.com'",
        "SELECT count(*) FROM customers WHERE email LIKE 'alice.s%'",
        "SELECT count(*) FROM customers WHERE salary = '91234'",
        "SELECT count(*) FROM customers WHERE phone LIKE '+1%'",
        "SELECT count(*) FROM staff WHERE ssn LIKE '078-05-%'",
        "SELECT count(*) FROM orders o WHERE EXISTS (SELECT 1 FROM customers c WHERE c.id = o.customer_id AND position('secret' IN c.email) > 0)",
      ]) {
        const r = await engine.query(DB, sql, LIMITS, MASKED);
        assert.equal(Number(r.rows[0][0]), 0, sql);
      }
    });
  });

  describe('identities and provisioning', () => {
    it('provisions least-privilege identities: NOINHERIT, no membership, no CREATE, no base-table privilege in masked mode', async () => {
      const { rows } = await admin.query(
        `SELECT rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, rolbypassrls,
                (SELECT count(*)::int FROM pg_auth_members WHERE member = r.oid) AS memberships,
                has_database_privilege(rolname, current_database(), 'CREATE') AS db_create,
                has_schema_privilege(rolname, 'public', 'CREATE') AS schema_create,
                has_table_privilege(rolname, 'public.customers', 'SELECT') AS base,
                has_table_privilege(rolname, 'public.orders', 'SELECT') AS plain
           FROM pg_roles r WHERE rolname IN ($1, $2) ORDER BY rolname = $1 DESC`,
        [ids.masked, ids.unmask],
      );
      assert.deepEqual(rows.map((r) => [r.rolname, r.rolsuper, r.rolinherit, r.rolcreaterole, r.rolcreatedb, r.rolcanlogin, r.rolbypassrls, r.memberships, r.db_create, r.schema_create, r.base, r.plain]), [
        [ids.masked, false, false, false, false, true, false, 0, false, false, false, true],
        [ids.unmask, false, false, false, false, true, false, 0, false, false, true, true],
      ]);
      const owner = await admin.query("SELECT pg_has_role($1, 'jit_owner', 'MEMBER') AS m, pg_has_role($2, 'jit_owner', 'MEMBER') AS u", [ids.masked, ids.unmask]);
      assert.deepEqual(owner.rows[0], { m: false, u: false });
    });

    it('re-provisions when the masking rules change', async () => {
      const rules: MaskedColumnRule[] = [...RULES, { table: 'customers', column: 'name', algorithm: 'full' }];
      const r = await engine.query(DB, 'SELECT name FROM customers ORDER BY id LIMIT 1', LIMITS, { unmask: false, masking: rules });
      assert.deepEqual(r.rows, [['******']]);
      assert.equal(r.columns[0].masked, true);
      const back = await engine.query(DB, 'SELECT name FROM customers ORDER BY id LIMIT 1', LIMITS, MASKED);
      assert.deepEqual(back.rows, [['Alice']]);
    });

    it('re-provisions when a view is redefined over a masked table, so it is no longer readable', async () => {
      await owner.query('CREATE OR REPLACE VIEW order_items AS SELECT o.id, (SELECT email FROM customers c WHERE c.id = o.customer_id) AS item FROM orders o');
      // The engine trusts a catalog check for a second (STATE_TTL_MS in postgres.ts).
      await new Promise((resolve) => setTimeout(resolve, 1100));
      try {
        await refused(engine, 'SELECT * FROM order_items', /permission denied/);
      } finally {
        await owner.query('CREATE OR REPLACE VIEW order_items AS SELECT id, item FROM orders');
        await new Promise((resolve) => setTimeout(resolve, 1100));
      }
      const r = await attempt(engine, 'SELECT count(*) FROM order_items');
      assert.ok(!(r instanceof EngineError), String(r));
    });

    it('fails closed on a table it cannot grant, saying how to re-provision', async () => {
      await admin.query('CREATE TABLE admin_secrets (v text); INSERT INTO admin_secrets VALUES (\'alice.secret\')');
      try {
        const error = await refused(engine, 'SELECT * FROM admin_secrets', /permission denied.*provision/s);
        assert.match(error.message, /npx jit-server provision --instance mt/);
        await refused(engine, 'SELECT * FROM admin_secrets');
      } finally {
        await admin.query('DROP TABLE admin_secrets');
      }
    });

    it('refuses masked runs where the account cannot provision, with how to provision', async () => {
      const reader = createPostgresEngine({ url: need('JIT_TEST_PG_URL'), instanceId: 'ro', secrets, maxConnections: 1 });
      try {
        for (const scope of [MASKED, UNMASK]) {
          const error = await reader.query(DB, 'SELECT email FROM customers', LIMITS, scope).then(() => undefined, (e: unknown) => e);
          assert.ok(error instanceof EngineError, String(error));
          assert.match(error.message, /not provisioned.*npx jit-server provision --instance ro/s);
        }
      } finally {
        await reader.close();
      }
      const legacy = createPostgresEngine({ url: need('JIT_TEST_PG_ADMIN_URL'), maxConnections: 1 });
      try {
        const error = await legacy.query(DB, 'SELECT 1', LIMITS, MASKED).then(() => undefined, (e: unknown) => e);
        assert.ok(error instanceof EngineError);
        assert.match(error.message, /not provisioned/);
      } finally {
        await legacy.close();
      }
    });

    it('runs as identities a DBA provisioned with the printed script, where the account may not provision', async () => {
      const reader = createPostgresEngine({ url: need('JIT_TEST_PG_URL'), instanceId: 'dba', secrets, maxConnections: 1 });
      try {
        const script = await reader.provisionScript!([{ name: DB, masking: RULES }]);
        assert.match(script, /\\connect "crm"/);
        // What psql would run after \connect: as the superuser here, as a DBA would.
        const sql = script.slice(script.indexOf('\\connect "crm"') + '\\connect "crm"'.length);
        const client = await admin.connect();
        try {
          await client.query(sql);
        } finally {
          client.release();
        }
        const r = await reader.query(DB, 'SELECT email FROM customers ORDER BY id LIMIT 1', LIMITS, MASKED);
        assert.deepEqual(r.rows, [['ali******com']]);
        const u = await reader.query(DB, 'SELECT email FROM customers ORDER BY id LIMIT 1', LIMITS, UNMASK);
        assert.deepEqual(u.rows, [['alice.secret@example.com']]);
      } finally {
        await reader.close();
        // The masking schema is now the superuser's: the owner could not rebuild it.
        await admin.query('DROP SCHEMA IF EXISTS jit_mask CASCADE');
      }
    });
  });
});
