// Issue 14: approval rules route on the tables a statement reads as SQLite resolves it, not
// on how the statement spells them. The red team's rules: customers → owner, then DBA;
// anything else → owner.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DatabaseSync } from '@photostructure/sqlite';
import { startHarness, testConfig, type Harness } from '../support/harness.js';
import { EngineError } from '../../server/engines/engine.js';
import { accessBody, API, expectRefused, requestAccess } from './helpers.js';

const RED_TEAM_RULES = testConfig((c) => {
  c.approvalRules.REQUEST_ACCESS = [
    { title: 'Customers: owner, then DBA', condition: 'resource.table_name == "customers"', steps: [['projectOwner'], ['workspaceDBA']] },
    { title: 'Anything else: owner', condition: 'true', steps: [['projectOwner']] },
  ];
});

const stepsOf = (request: { steps: { roles: string[] }[] }) => request.steps.map((s) => s.roles);

describe('approval routing on what SQLite reads (issue 14)', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness(RED_TEAM_RULES);
    // Created by the database's owner, outside the service: the service only ever reads.
    const db = new DatabaseSync(join(h.dataDir, 'demo-data', 'sales.sqlite'));
    db.exec('CREATE VIEW recent_buyers AS SELECT c.name FROM customers c WHERE c.id IN (SELECT customer_id FROM orders)');
    db.close();
  });
  after(async () => h?.close());

  const bypasses = [
    'SELECT name FROM CUSTOMERS',
    'SELECT name FROM "customers"',
    'SELECT name FROM main.Customers',
    'SELECT count(*) FROM customers',
    'SELECT 1 FROM customers WHERE 0',
    'WITH x AS (SELECT name FROM customers) SELECT * FROM x',
    'SELECT * FROM recent_buyers',
    'SELECT o.id, (SELECT name FROM customers WHERE id = o.customer_id) AS who FROM orders o',
  ];
  for (const statement of bypasses) {
    it(`${statement} → owner, then DBA`, async () => {
      const { request } = await requestAccess(h, { statement });
      assert.equal(request.rule.title, 'Customers: owner, then DBA');
      assert.deepEqual(stepsOf(request), [['projectOwner'], ['workspaceDBA']]);
      assert.ok(request.payload.tables.includes('customers'), JSON.stringify(request.payload.tables));
    });
  }

  it('a CTE is not a table, even one named like a table: owner only', async () => {
    const { request } = await requestAccess(h, { statement: 'WITH customers AS (SELECT 1 AS id) SELECT id FROM customers' });
    assert.equal(request.rule.title, 'Anything else: owner');
    assert.deepEqual(request.payload.tables, []);
    const orders = await requestAccess(h, { statement: 'WITH c AS (SELECT id FROM orders) SELECT * FROM c' });
    assert.deepEqual(orders.request.payload.tables, ['orders']);
    assert.deepEqual(stepsOf(orders.request), [['projectOwner']]);
  });

  it('an unknown table is refused with its name and position, and nothing is written', async () => {
    const error = await expectRefused(
      h,
      () => h.json('alice', 'POST', `${API}/projects/shop/access-requests`, {
        databases: ['demo/sales'], statement: 'SELECT o.id\n  FROM orders o JOIN Customerz c ON c.id = o.customer_id', duration: '1h', reason: 'ticket 42',
      }),
      400, 'INVALID_ARGUMENT', /"Customerz"/, /not a table or view of database demo\/sales/, /line 2, column 22/,
    );
    assert.deepEqual({ ...error.details }, { field: 'statement', database: 'demo/sales', table: 'Customerz', line: 2, column: 22 });
  });

  it('a database that cannot answer refuses the request rather than routing it blind', async () => {
    const engines = h.service.deps.engines;
    const real = engines.get('demo')!;
    engines.set('demo', { ...real, reads: async () => Promise.reject(new EngineError('unavailable', 'the database server is unavailable')) });
    try {
      await expectRefused(h, () => h.json('alice', 'POST', `${API}/projects/shop/access-requests`, accessBody({ statement: 'SELECT name FROM customers' })),
        503, 'UNAVAILABLE', /asks database demo\/sales which tables the statement reads/, /try again/);
    } finally {
      engines.set('demo', real);
    }
  });

  it('each chosen database resolves the statement itself: a table only one of them has is refused there', async () => {
    await expectRefused(
      h,
      () => h.json('alice', 'POST', `${API}/projects/shop/access-requests`, {
        databases: ['demo/sales', 'demo/hr'], statement: 'SELECT name FROM customers', duration: '1h', reason: 'ticket 42',
      }),
      400, 'INVALID_ARGUMENT', /"customers", which is not a table or view of database demo\/hr/,
    );
  });
});

describe('PUT /approval-rules: names no database has are flagged (issue 14)', () => {
  let h: Harness;
  beforeEach(async () => (h = await startHarness()));
  afterEach(async () => h.close());

  const rule = (condition: string) => ({ title: condition, condition, steps: [['projectOwner']] });

  it('saves the rules and warns about each table or database name that never matches, with the spelling it resolves to', async () => {
    const rules = {
      REQUEST_ACCESS: [
        rule('resource.table_name == "CUSTOMERS"'),
        rule('resource.table_name in ["orders", "invoices"] && resource.database_name == "sales"'),
        rule("'employees' == resource.table_name"),
      ],
      REQUEST_ROLE: [rule('resource.database_name != "Salez"')],
    };
    const saved = await h.json('admin', 'PUT', `${API}/approval-rules`, rules);
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    assert.deepEqual(saved.body.warnings.map((w: { field: string }) => w.field), ['REQUEST_ACCESS.0.condition', 'REQUEST_ACCESS.1.condition', 'REQUEST_ROLE.0.condition']);
    assert.match(saved.body.warnings[0].message, /REQUEST_ACCESS rule 1 .* "CUSTOMERS", which is not a table or view of any database of the workspace: it never matches .*did you mean "customers"\?/);
    assert.match(saved.body.warnings[1].message, /rule 2 .*"invoices"/);
    assert.doesNotMatch(saved.body.warnings[1].message, /did you mean/);
    assert.match(saved.body.warnings[2].message, /REQUEST_ROLE rule 1 .*resource\.database_name with "Salez", which is not the name of any database of the workspace/);
    const { warnings: _warnings, ...stored } = saved.body;
    assert.deepEqual(stored, rules);
    assert.deepEqual((await h.json('admin', 'GET', `${API}/approval-rules`)).body, rules);
  });

  it('an instance that cannot list its tables is named in a warning, and does not block the change', async () => {
    h.service.deps.engines.delete('demo');
    const saved = await h.json('admin', 'PUT', `${API}/approval-rules`, { REQUEST_ACCESS: [rule('resource.table_name == "customers"')], REQUEST_ROLE: [] });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    assert.ok(saved.body.warnings.some((w: { message: string }) => /The tables of demo\/sales could not be listed/.test(w.message)), JSON.stringify(saved.body.warnings));
  });
});
