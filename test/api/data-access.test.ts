import assert from 'node:assert/strict';
import { approveAllSteps, startHarness, testConfig, type Harness } from '../support/harness.js';

/** Creates an access request as alice and has it approved by every step it needs. */
async function activeGrant(h: Harness, body: Record<string, unknown>) {
  const created = await h.json('alice', 'POST', '/api/v1/projects/shop/access-requests', { duration: '1h', reason: 'support ticket 7', ...body });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return approveAllSteps(h, created.body);
}

const run = (h: Harness, grant: string, body: Record<string, unknown> = {}) => h.json('alice', 'POST', `/api/v1/grants/${grant}/run`, body);

describe('data access: masking, export and direct queries', () => {
  let h: Harness;
  afterEach(async () => h.close());

  describe('with the demo rules', () => {
    beforeEach(async () => (h = await startHarness()));

    it('masks email (partial), salary (full) and ssn (md5) and marks the columns', async () => {
      const grant = await activeGrant(h, { databases: ['demo/hr'], statement: 'SELECT id, name, email, salary, ssn FROM employees WHERE id = 1' });
      const res = await run(h, grant);
      assert.equal(res.status, 200);
      assert.deepEqual(res.body.columns.map((c: any) => [c.name, c.masked]), [['id', false], ['name', false], ['email', true], ['salary', true], ['ssn', true]]);
      const [id, name, email, salary, ssn] = res.body.rows[0];
      assert.equal(id, 1);
      assert.match(name, /^[A-Z]/);
      assert.match(email, /^.{1,3}\*{6}.{1,3}$/);
      assert.equal(salary, '******');
      assert.match(ssn, /^[0-9a-f]{32}$/);
    });

    it('keeps values derived from a masked column masked: expressions, aliases, subqueries, unions, star', async () => {
      const statements = [
        "SELECT upper(email) AS e FROM employees WHERE id = 1",
        'SELECT x FROM (SELECT email AS x FROM employees) WHERE x IS NOT NULL LIMIT 1',
        'SELECT name FROM employees WHERE id = 1 UNION ALL SELECT email FROM employees WHERE id = 1',
        'SELECT salary + 0 AS s FROM employees WHERE id = 1',
        'SELECT * FROM employees WHERE id = 1',
      ];
      for (const statement of statements) {
        const grant = await activeGrant(h, { databases: ['demo/hr'], statement });
        const res = await run(h, grant);
        assert.equal(res.status, 200, statement);
        const raw = JSON.stringify(res.body.rows);
        assert.doesNotMatch(raw, /@example\.com/, `email leaked by: ${statement}`);
        assert.ok(!/"\d{3}-\d{2}-\d{4}"/.test(raw), `ssn leaked by: ${statement}`);
      }
    });

    it('returns raw values to a grant with unmask, after the owner and a DBA approved', async () => {
      const grant = await activeGrant(h, { databases: ['demo/hr'], statement: 'SELECT email, ssn FROM employees WHERE id = 1', unmask: true });
      const res = await run(h, grant);
      assert.equal(res.status, 200);
      assert.match(res.body.rows[0][0], /@example\.com$/);
      assert.match(res.body.rows[0][1], /^\d{3}-\d{2}-\d{4}$/);
      assert.ok(res.body.columns.every((c: any) => c.masked === false));
    });

    it('exports a grant with export as CSV, masked, with a filename, and audits start and finish', async () => {
      const grant = await activeGrant(h, { databases: ['demo/hr'], statement: 'SELECT id, email FROM employees ORDER BY id', export: true });
      const res = await h.call('alice', 'GET', `/api/v1/grants/${grant}/export?format=csv`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-disposition') ?? '', new RegExp(`attachment; filename="grant-${grant}\\.csv"`));
      const lines = (await res.text()).trim().split('\r\n');
      assert.equal(lines[0], 'id,email');
      assert.equal(lines.length, 2001);
      assert.ok(lines.slice(1).every((l) => !l.includes('@example.com')));
      const audit = h.auditLines().filter((l) => l.grantId === grant && l.action.startsWith('grant.export'));
      assert.deepEqual(audit.map((l) => [l.action, l.rowCount]), [['grant.export', undefined], ['grant.export.finished', 2000]]);
    });

    it('exports in every format', async () => {
      const grant = await activeGrant(h, { databases: ['demo/sales'], statement: "SELECT id, product, amount FROM orders WHERE id <= 3 ORDER BY id", export: true });
      const json = await (await h.call('alice', 'GET', `/api/v1/grants/${grant}/export?format=json`)).json();
      assert.equal(json.length, 3);
      assert.deepEqual(Object.keys(json[0]), ['id', 'product', 'amount']);
      const nd = (await (await h.call('alice', 'GET', `/api/v1/grants/${grant}/export?format=ndjson`)).text()).trim().split('\n');
      assert.equal(JSON.parse(nd[2]).id, 3);
      const sql = await (await h.call('alice', 'GET', `/api/v1/grants/${grant}/export?format=sql`)).text();
      assert.match(sql, /^INSERT INTO "orders" \("id", "product", "amount"\) VALUES \(1, '.+', [0-9.]+\);$/m);
      const xlsx = await h.call('alice', 'GET', `/api/v1/grants/${grant}/export?format=xlsx`);
      const bytes = new Uint8Array(await xlsx.arrayBuffer());
      assert.equal(String.fromCharCode(bytes[0], bytes[1]), 'PK');
    });

    it('refuses to export a grant without export (403), and audits the attempt as denied', async () => {
      const grant = await activeGrant(h, { databases: ['demo/sales'], statement: 'SELECT id FROM orders' });
      const res = await h.json('alice', 'GET', `/api/v1/grants/${grant}/export?format=csv`);
      assert.equal(res.status, 403);
      assert.equal(res.body.error.code, 'PERMISSION_DENIED');
      assert.match(res.body.error.message, /export/i);
      assert.deepEqual(
        h.auditLines().filter((l) => l.action.startsWith('grant.export')).map((l) => [l.action, l.outcome, l.grantId]),
        [['grant.export', 'denied', grant]],
      );
    });

    it('refuses a database the grant does not cover', async () => {
      const grant = await activeGrant(h, { databases: ['demo/sales'], statement: 'SELECT 1' });
      const res = await run(h, grant, { database: 'demo/hr' });
      assert.equal(res.status, 400);
      assert.match(res.body.error.message, /does not cover database "demo\/hr"/);
    });
  });

  describe('direct queries and exports by role', () => {
    beforeEach(async () => {
      h = await startHarness(
        testConfig((c) => {
          c.projects[0].members.push({ user: 'dana', roles: ['sqlEditorUser'] });
          c.projects[0].members.find((m) => m.user === 'bob')!.roles.push('projectExporter');
        }),
      );
    });

    it('lets a sqlEditorUser query, masked and audited with the role', async () => {
      const res = await h.json('dana', 'POST', '/api/v1/projects/shop/query', { database: 'demo/hr', statement: 'SELECT email FROM employees WHERE id = 2' });
      assert.equal(res.status, 200);
      assert.equal(res.body.columns[0].masked, true);
      const line = h.auditLines().at(-1);
      assert.equal(line.action, 'project.query');
      assert.equal(line.detail.role, 'sqlEditorUser');
      assert.equal(line.rowCount, 1);
    });

    it('refuses a developer without a query role, and DML from anyone', async () => {
      const alice = await h.json('alice', 'POST', '/api/v1/projects/shop/query', { database: 'demo/hr', statement: 'SELECT 1' });
      assert.equal(alice.status, 403);
      assert.match(alice.body.error.message, /request access/i);
      const dml = await h.json('dana', 'POST', '/api/v1/projects/shop/query', { database: 'demo/hr', statement: 'DELETE FROM employees' });
      assert.equal(dml.status, 400);
    });

    it('lets a projectExporter export directly, and refuses everyone when export is disabled', async () => {
      const ok = await h.call('bob', 'POST', '/api/v1/projects/shop/export', { database: 'demo/sales', statement: 'SELECT id FROM customers', format: 'csv' });
      assert.equal(ok.status, 200);
      assert.equal((await ok.text()).trim().split('\r\n').length, 1001);
      const dana = await h.json('dana', 'POST', '/api/v1/projects/shop/export', { database: 'demo/sales', statement: 'SELECT id FROM customers', format: 'csv' });
      assert.equal(dana.status, 403);
      const off = await h.json('admin', 'PATCH', '/api/v1/workspace/settings', { enableDataExport: false });
      assert.equal(off.status, 200);
      const refused = await h.json('bob', 'POST', '/api/v1/projects/shop/export', { database: 'demo/sales', statement: 'SELECT id FROM customers', format: 'csv' });
      assert.equal(refused.status, 403);
      assert.match(refused.body.error.message, /disabled/);
    });
  });
});
