// Issue 13 through the whole service on MariaDB, with the account an operator typically hands
// it (ALL PRIVILEGES ON *.* WITH GRANT OPTION): a grant's run and export, and a role's query and
// export, never let a masked value or another database's data out, whatever the statement does.
import assert from 'node:assert/strict';
import { approveAllSteps, startHarness, testConfig, type Harness } from '../support/harness.js';

const SECRETS = ['carol.secret', 'dave.hidden', '4111-1111', 'vault-secret', 'service-pw', 'admin-pw'];
const HASH = /\*[0-9A-F]{40}/;

// [statement, whether it runs (masked) rather than being refused]
const ATTEMPTS: [string, boolean][] = [
  ['SELECT secret FROM vault.secrets', false],
  ['SELECT User, authentication_string FROM mysql.user', false],
  ['SELECT * FROM mysql.column_stats', false],
  ['SELECT email FROM crm.customers', false],
  ['SELECT * FROM customer_contacts', false],
  ["SELECT JSON_OBJECT('e', email, 'c', card) AS j FROM customers", true],
  ["SELECT CONCAT_WS(',', email, card) AS j, GROUP_CONCAT(email) AS g FROM customers GROUP BY id", true],
  ['SELECT (SELECT email FROM customers WHERE id = 1) AS e', true],
  ["SELECT JSON_EXTRACT(email, '$.a') AS j FROM customers", true],
  ['SELECT s.seq, o.id FROM customers c JOIN seq_1_to_30 s JOIN orders o ON o.id = ASCII(SUBSTR(c.email, s.seq, 1)) WHERE c.id = 1', true],
  ["SELECT 1--1 AS x, GET_LOCK('jit', 0) AS l", false],
  ["SELECT id FROM customers WHERE email LIKE 'carol%'", true],
];

function assertNoSecret(text: string, what: string) {
  for (const s of SECRETS) assert.ok(!text.includes(s), `${what} reveals "${s}": ${text.slice(0, 500)}`);
  assert.doesNotMatch(text, HASH, `${what} reveals a password hash`);
}

describe('the service on MariaDB keeps masked values and other databases out (issue 13)', function () {
  this.timeout(120_000);
  let h: Harness;
  const database = 'my/crm';

  before(async () => {
    const url = process.env.JIT_TEST_MYSQL_SERVICE_URL;
    assert.ok(url, 'set by test/setup/db-servers.sh (run this suite through it)');
    h = await startHarness(
      testConfig((c) => {
        c.instances.push({ id: 'my', engine: 'mysql', url } as never);
        c.projects[0].databases.push({ name: database, environment: 'prod' });
        c.projects[0].members.push({ user: 'dana', roles: ['sqlEditorUser'] });
        c.projects[0].members.find((m) => m.user === 'bob')!.roles.push('projectExporter');
        c.masking.push({ database, table: 'customers', column: 'email', algorithm: 'partial' });
        c.masking.push({ database, table: 'customers', column: 'card', algorithm: 'full' });
      }),
    );
  });
  after(async () => h?.close());

  async function grant(statement: string, extra: Record<string, unknown> = {}): Promise<string | undefined> {
    const created = await h.json('alice', 'POST', '/api/v1/projects/shop/access-requests', {
      databases: [database], statement, duration: '1h', reason: 'issue 13', ...extra,
    });
    assertNoSecret(JSON.stringify(created.body), `request for ${statement}`);
    if (created.status !== 201) return undefined; // refused at request time
    return approveAllSteps(h, created.body);
  }

  it('runs a masked grant with values masked by the engine', async () => {
    const id = await grant('SELECT id, name, email, card FROM customers ORDER BY id');
    const res = await h.json('alice', 'POST', `/api/v1/grants/${id}/run`, {});
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.columns.map((c: { masked: boolean }) => c.masked), [false, false, true, true]);
    assert.deepEqual(res.body.rows[0], [1, 'Carol', 'car******org', '******']);
  });

  for (const [statement, runs] of ATTEMPTS) {
    const expect = (status: number, what: string) => assert.equal(status === 200, runs, `${what} of ${statement}: ${status}`);

    it(`grant run and export: ${statement}`, async () => {
      const id = await grant(statement, { export: true });
      if (!id) return assert.ok(!runs, `refused at request time: ${statement}`);
      const run = await h.call('alice', 'POST', `/api/v1/grants/${id}/run`, {});
      assertNoSecret(await run.text(), `run of ${statement}`);
      expect(run.status, 'run');
      const exported = await h.call('alice', 'GET', `/api/v1/grants/${id}/export?format=csv`);
      assertNoSecret(await exported.text(), `export of ${statement}`);
      expect(exported.status, 'export');
    });

    it(`role query and role export: ${statement}`, async () => {
      const query = await h.call('dana', 'POST', '/api/v1/projects/shop/query', { database, statement });
      assertNoSecret(await query.text(), `role query of ${statement}`);
      expect(query.status, 'role query');
      const exported = await h.call('bob', 'POST', '/api/v1/projects/shop/export', { database, statement, format: 'csv' });
      assertNoSecret(await exported.text(), `role export of ${statement}`);
      expect(exported.status, 'role export');
    });
  }

  it('answers role queries and exports with engine-masked values, and refuses other databases', async () => {
    const res = await h.json('dana', 'POST', '/api/v1/projects/shop/query', { database, statement: "SELECT JSON_OBJECT('e', email) AS j FROM customers WHERE id = 2" });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.rows, [['{"e":"dav******org"}']]);
    assert.equal(res.body.columns[0].masked, true);
    const exported = await h.call('bob', 'POST', '/api/v1/projects/shop/export', { database, statement: 'SELECT name, email FROM customers ORDER BY id', format: 'csv' });
    assert.equal(exported.status, 200);
    assert.equal((await exported.text()).trim().split('\r\n')[1], 'Carol,car******org');
    const other = await h.json('dana', 'POST', '/api/v1/projects/shop/query', { database, statement: 'SELECT secret FROM vault.secrets' });
    assert.equal(other.status, 400, JSON.stringify(other.body));
    assert.match(other.body.error.message, /may read only that database's tables/);
  });
});
