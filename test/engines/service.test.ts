// The whole service on real PostgreSQL and MariaDB: a grant runs and exports there with
// masking from the driver's lineage, and the run is audited — the same path as on SQLite.
import assert from 'node:assert/strict';
import { approveAllSteps, startHarness, testConfig, type Harness } from '../support/harness.js';

const SERVERS = [
  // The accounts an operator hands the service: PostgreSQL's database owner with CREATEROLE,
  // MariaDB's ALL PRIVILEGES WITH GRANT OPTION; the service provisions its identities itself.
  { id: 'pg', engine: 'postgres' as const, url: process.env.JIT_TEST_PG_OWNER_URL },
  { id: 'my', engine: 'mysql' as const, url: process.env.JIT_TEST_MYSQL_SERVICE_URL },
];

for (const server of SERVERS) {
  describe(`the service on ${server.engine}`, () => {
    let h: Harness;
    before(async function () {
      assert.ok(server.url, `set by test/setup/db-servers.sh (run this suite through it)`);
      h = await startHarness(
        testConfig((c) => {
          c.instances.push({ id: server.id, engine: server.engine, url: server.url! } as never);
          c.projects[0].databases.push({ name: `${server.id}/shop`, environment: 'prod' });
          c.masking.push({ database: `${server.id}/shop`, table: 'employees', column: 'email', algorithm: 'partial' });
        }),
      );
    });
    after(async () => h?.close());

    async function grant(statement: string, extra: Record<string, unknown> = {}) {
      const created = await h.json('alice', 'POST', '/api/v1/projects/shop/access-requests', {
        databases: [`${server.id}/shop`], statement, duration: '1h', reason: 'engine check', ...extra,
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      return approveAllSteps(h, created.body);
    }

    it('runs the approved statement with masking from lineage, and audits it', async () => {
      const id = await grant('SELECT id, name, email, upper(email) AS shout FROM employees ORDER BY id');
      const res = await h.json('alice', 'POST', `/api/v1/grants/${id}/run`, {});
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(res.body.columns.map((c: any) => [c.name, c.masked]), [['id', false], ['name', false], ['email', true], ['shout', true]]);
      assert.equal(res.body.rows[0][1], 'Alice');
      assert.doesNotMatch(JSON.stringify(res.body.rows), /example\.com/i);
      const line = h.auditLines().at(-1);
      assert.deepEqual([line.action, line.outcome, line.grantId, line.rowCount, line.database], ['grant.run', 'ok', id, 2, `${server.id}/shop`]);
    });

    it('exports through the service, masked', async () => {
      const id = await grant('SELECT name, email FROM employees ORDER BY id', { export: true });
      const res = await h.call('alice', 'GET', `/api/v1/grants/${id}/export?format=csv`);
      assert.equal(res.status, 200);
      const lines = (await res.text()).trim().split('\r\n');
      assert.equal(lines[0], 'name,email');
      assert.match(lines[1], /^Alice,.{1,3}\*{6}.{1,3}$/);
    });

    it('refuses a write at request time and never reaches the engine', async () => {
      const res = await h.json('alice', 'POST', '/api/v1/projects/shop/access-requests', {
        databases: [`${server.id}/shop`], statement: 'UPDATE employees SET name = 1', duration: '1h', reason: 'x',
      });
      assert.equal(res.status, 400);
      assert.match(res.body.error.message, /read-only SELECT/);
    });
  });
}
