// Issue 13 through the whole service on PostgreSQL (owner account with CREATEROLE): a grant's
// run and export, and a role's direct query and export, return only masked values — the engine
// masks, whatever the statement's shape — or refuse.
import assert from 'node:assert/strict';
import { approveAllSteps, startHarness, testConfig, type Harness } from '../support/harness.js';

const DB = 'pgs/crm';
const SECRETS = ['alice.secret', 'b.hidden', 'vera.vip', '555-01', '91234', '87654', '4111', 'SECRET'];
const LEAKY = [
  'SELECT c FROM customers c',
  'SELECT row_to_json(c) AS r FROM customers c',
  'SELECT x FROM customers AS c(a, b, x)',
  'SELECT * FROM ONLY customers',
  'SELECT o.id FROM orders o JOIN customers c ON o.id = ascii(substr(c.email, 1, 1))',
  'SELECT email::int AS n FROM customers',
  'SELECT * FROM customer_contacts',
  "SELECT query_to_xml('select email from public.customers', true, false, '') AS x",
  '/* /* */ select email from public.customers */ SELECT name, email FROM customers',
];

function assertNoSecret(text: string, what: string) {
  for (const s of SECRETS) assert.ok(!text.includes(s), `${what} reveals "${s}": ${text.slice(0, 400)}`);
}

describe('the service on postgres: masking enforced by the engine (issue 13)', () => {
  let h: Harness;
  before(async function () {
    const url = process.env.JIT_TEST_PG_OWNER_URL;
    assert.ok(url, 'set by test/setup/db-servers.sh (run this suite through it)');
    h = await startHarness(
      testConfig((c) => {
        c.instances.push({ id: 'pgs', engine: 'postgres', url } as never);
        c.projects[0].databases.push({ name: DB, environment: 'prod' });
        c.projects[0].members.push({ user: 'dana', roles: ['sqlEditorUser'] });
        c.projects[0].members.find((m) => m.user === 'bob')!.roles.push('projectExporter');
        c.masking.push(
          { database: DB, table: 'customers', column: 'email', algorithm: 'partial' },
          { database: DB, table: 'customers', column: 'phone', algorithm: 'full' },
          { database: DB, table: 'customers', column: 'salary', algorithm: 'md5' },
          { database: DB, table: 'customers', column: 'notes', algorithm: 'full' },
        );
      }),
    );
  });
  after(async () => h?.close());

  async function grant(statement: string, extra: Record<string, unknown> = {}): Promise<string | undefined> {
    const created = await h.json('alice', 'POST', '/api/v1/projects/shop/access-requests', {
      databases: [DB], statement, duration: '1h', reason: 'issue 13', ...extra,
    });
    if (created.status !== 201) {
      assertNoSecret(JSON.stringify(created.body), `request of ${statement}`);
      return undefined; // refused at request time
    }
    return approveAllSteps(h, created.body);
  }

  it('grant run: masked values from the engine, flagged', async () => {
    const id = await grant('SELECT id, name, email, upper(email) AS shout FROM customers ORDER BY id');
    const res = await h.json('alice', 'POST', `/api/v1/grants/${id}/run`, {});
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.columns.map((c: any) => [c.name, c.masked]), [['id', false], ['name', false], ['email', true], ['shout', true]]);
    assert.deepEqual(res.body.rows[0], [1, 'Alice', 'ali******com', 'ALI******COM']);
  });

  for (const sql of LEAKY) {
    it(`grant run and export, role query and export: nothing but masked values for ${sql}`, async () => {
      const runId = await grant(sql);
      if (runId) {
        const res = await h.call('alice', 'POST', `/api/v1/grants/${runId}/run`, {});
        assertNoSecret(await res.text(), `grant run of ${sql}`);
      }
      const exportId = await grant(sql, { export: true });
      if (exportId) {
        const res = await h.call('alice', 'GET', `/api/v1/grants/${exportId}/export?format=csv`);
        assertNoSecret(await res.text(), `grant export of ${sql}`);
      }
      const query = await h.call('dana', 'POST', '/api/v1/projects/shop/query', { database: DB, statement: sql });
      assertNoSecret(await query.text(), `role query of ${sql}`);
      const exported = await h.call('bob', 'POST', '/api/v1/projects/shop/export', { database: DB, statement: sql, format: 'csv' });
      assertNoSecret(await exported.text(), `role export of ${sql}`);
    });
  }

  it('role query and role export return masked values', async () => {
    const query = await h.json('dana', 'POST', '/api/v1/projects/shop/query', { database: DB, statement: 'SELECT email FROM customers WHERE id = 1' });
    assert.equal(query.status, 200, JSON.stringify(query.body));
    assert.deepEqual(query.body.rows, [['ali******com']]);
    assert.equal(query.body.columns[0].masked, true);
    const exported = await h.call('bob', 'POST', '/api/v1/projects/shop/export', { database: DB, statement: 'SELECT id, email FROM customers ORDER BY id', format: 'csv' });
    assert.equal(exported.status, 200);
    assert.equal((await exported.text()).trim().split('\r\n')[1], '1,ali******com');
  });

  it('an unmask grant reads the real values', async () => {
    const id = await grant('SELECT email FROM customers WHERE id = 1', { unmask: true });
    assert.ok(id);
    const res = await h.json('alice', 'POST', `/api/v1/grants/${id}/run`, {});
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.rows, [['alice.secret@example.com']]);
    assert.equal(res.body.columns[0].masked, false);
  });
});
