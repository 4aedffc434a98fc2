// Masking enforced by the SQLite engine, seen through the service: grant run, grant export,
// role query, role export. Statements that try to reach a masked value (docs/provisioning-sqlite.md)
// either are refused with a clear message or return masked values only; no raw value appears in
// rows, errors or exports.
import assert from 'node:assert/strict';
import { approveAllSteps, startHarness, testConfig, type Harness } from '../support/harness.js';

// Raw values of the demo's masked columns (employees.email partial, phone partial, salary full, ssn md5).
const RAW = [/@example\.com/i, /\d{3}-\d{2}-\d{4}/, /555-\d{3}/];

function assertNoRaw(text: string, what: string) {
  for (const raw of RAW) assert.doesNotMatch(text, raw, `${what} leaked ${raw}: ${text.slice(0, 500)}`);
}

/** Statements refused by the engine, with what the refusal says. */
const REFUSED: [string, RegExp][] = [
  ['SELECT email FROM main.employees WHERE id = 1', /employees\.email is masked/],
  ['WITH employees AS (SELECT ssn FROM main.employees) SELECT * FROM employees', /employees\.ssn is masked/],
  ["SELECT count(*) FROM main.employees WHERE email LIKE 'a%'", /employees\.email is masked/],
  ['SELECT f.id FROM main.employees e JOIN employees f ON f.id = unicode(substr(e.email, 1, 1)) WHERE e.id = 1', /is masked/],
  ["SELECT x.k FROM (SELECT 1 AS k, 'x' AS email) x JOIN main.employees USING (email)", /NATURAL and USING joins are not allowed/],
  ["SELECT json_extract('{}', email) FROM employees WHERE id = 1", /bad JSON path: '.{1,3}\*{6}.{1,3}'/],
];

/** Statements that run and return masked values only. */
const MASKED_ONLY = [
  'SELECT * FROM employees WHERE id <= 3',
  'SELECT "email", "ssn" FROM employees WHERE id <= 3',
  'SELECT group_concat(email), group_concat(phone), json_group_array(json_array(ssn, salary)) FROM employees WHERE id <= 5',
  'SELECT f.id FROM employees e JOIN employees f ON f.id = unicode(substr(e.email, 4, 1)) WHERE e.id = 1',
  'WITH RECURSIVE r(i, s) AS (SELECT 1, ssn FROM employees WHERE id = 1 UNION ALL SELECT i + 1, substr(s, 2) FROM r WHERE i < 12) SELECT * FROM r',
];

async function activeGrant(h: Harness, body: Record<string, unknown>) {
  const created = await h.json('alice', 'POST', '/api/v1/projects/shop/access-requests', { duration: '1h', reason: 'red team', ...body });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return approveAllSteps(h, created.body);
}

describe('SQLite engine masking through the service', function () {
  this.timeout(180_000);
  let h: Harness;
  afterEach(async () => h.close());

  describe('grants', () => {
    beforeEach(async () => (h = await startHarness()));

    it('grant run: refuses direct reads, CTE impostors, USING joins; error messages carry masked values only', async () => {
      for (const [statement, why] of REFUSED) {
        const grant = await activeGrant(h, { databases: ['demo/hr'], statement });
        const res = await h.json('alice', 'POST', `/api/v1/grants/${grant}/run`, {});
        assert.equal(res.status, 400, `${statement}: ${JSON.stringify(res.body)}`);
        assert.match(res.body.error.message, why, statement);
        assertNoRaw(JSON.stringify(res.body), statement);
      }
    });

    it('grant run: quoting, aggregates, joins and recursive CTEs return masked values only, flagged', async () => {
      for (const statement of MASKED_ONLY) {
        const grant = await activeGrant(h, { databases: ['demo/hr'], statement });
        const res = await h.json('alice', 'POST', `/api/v1/grants/${grant}/run`, {});
        assert.equal(res.status, 200, `${statement}: ${JSON.stringify(res.body)}`);
        assertNoRaw(JSON.stringify(res.body), statement);
      }
      const grant = await activeGrant(h, { databases: ['demo/hr'], statement: 'SELECT id, "email", upper(ssn) AS s FROM employees WHERE id = 1' });
      const res = await h.json('alice', 'POST', `/api/v1/grants/${grant}/run`, {});
      assert.deepEqual(res.body.columns.map((c: { masked: boolean }) => c.masked), [false, true, true]);
    });

    it('grant export: every format masked; a direct read is refused before the first row', async () => {
      const grant = await activeGrant(h, { databases: ['demo/hr'], statement: 'SELECT * FROM employees WHERE id <= 50', export: true });
      for (const format of ['csv', 'json', 'ndjson', 'sql']) {
        const res = await h.call('alice', 'GET', `/api/v1/grants/${grant}/export?format=${format}`);
        assert.equal(res.status, 200, format);
        const text = await res.text();
        assert.match(text, /\*{6}/, format);
        assertNoRaw(text, `export ${format}`);
      }
      const direct = await activeGrant(h, { databases: ['demo/hr'], statement: 'SELECT id, ssn FROM main.employees', export: true });
      const res = await h.json('alice', 'GET', `/api/v1/grants/${direct}/export?format=csv`);
      assert.equal(res.status, 400);
      assert.match(res.body.error.message, /employees\.ssn is masked/);
    });
  });

  describe('roles', () => {
    beforeEach(async () => {
      h = await startHarness(
        testConfig((c) => {
          c.projects[0].members.push({ user: 'dana', roles: ['sqlEditorUser'] });
          c.projects[0].members.find((m) => m.user === 'bob')!.roles.push('projectExporter');
        }),
      );
    });

    it('role query: refused or masked, never raw', async () => {
      for (const [statement, why] of REFUSED) {
        const res = await h.json('dana', 'POST', '/api/v1/projects/shop/query', { database: 'demo/hr', statement });
        assert.equal(res.status, 400, `${statement}: ${JSON.stringify(res.body)}`);
        assert.match(res.body.error.message, why, statement);
        assertNoRaw(JSON.stringify(res.body), statement);
      }
      for (const statement of MASKED_ONLY) {
        const res = await h.json('dana', 'POST', '/api/v1/projects/shop/query', { database: 'demo/hr', statement });
        assert.equal(res.status, 200, `${statement}: ${JSON.stringify(res.body)}`);
        assertNoRaw(JSON.stringify(res.body), statement);
      }
    });

    it('role export: masked in the file; refused statements export nothing', async () => {
      const ok = await h.call('bob', 'POST', '/api/v1/projects/shop/export', { database: 'demo/hr', statement: 'SELECT id, email, phone, salary, ssn FROM employees', format: 'csv' });
      assert.equal(ok.status, 200);
      const text = await ok.text();
      assert.equal(text.trim().split('\r\n').length, 2001);
      assertNoRaw(text, 'role export');
      for (const [statement, why] of REFUSED.slice(0, 3)) {
        const res = await h.json('bob', 'POST', '/api/v1/projects/shop/export', { database: 'demo/hr', statement, format: 'ndjson' });
        assert.equal(res.status, 400, statement);
        assert.match(res.body.error.message, why);
        assertNoRaw(JSON.stringify(res.body), statement);
      }
    });
  });
});
