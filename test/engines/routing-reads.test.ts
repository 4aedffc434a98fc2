// Issue 14 on real engines: approval rules route on the tables the engine resolves the
// statement to — PostgreSQL's plan, MariaDB's rewrite of the statement — at request time, per
// chosen database. The red team's rules: customers → owner, then DBA; anything else → owner.
// Each statement below reads customers as the engine's manual says it does: names fold to lower
// case unless quoted (PostgreSQL), ONLY still scans the table, a view is planned as its base
// tables, a child table's rows are its parent's, block comments nest (PostgreSQL); on MariaDB
// "--" starts a comment only before whitespace, an alias is not a table, and unquoted table
// names are case-sensitive where lower_case_table_names is 0 (Linux).
import assert from 'node:assert/strict';
import pg from 'pg';
import { API, expectRefused } from '../api/helpers.js';
import { startHarness, testConfig, type Harness } from '../support/harness.js';

const PG = 'pgr/crm';
const MY = 'myr/crm';

const stepsOf = (request: { steps: { roles: string[] }[] }) => request.steps.map((s) => s.roles);

describe('approval routing on what the engine reads (issue 14)', function () {
  this.timeout(120_000);
  let h: Harness;
  let admin: pg.Pool;

  before(async () => {
    const pgUrl = process.env.JIT_TEST_PG_OWNER_URL;
    const myUrl = process.env.JIT_TEST_MYSQL_SERVICE_URL;
    assert.ok(pgUrl && myUrl && process.env.JIT_TEST_PG_ADMIN_URL, 'set by test/setup/db-servers.sh (run this suite through it)');
    admin = new pg.Pool({ connectionString: `${process.env.JIT_TEST_PG_ADMIN_URL}/crm`, max: 1 });
    // A view an owner made that reads a table named in text: its plan cannot show which.
    await admin.query("CREATE OR REPLACE VIEW customers_xml AS SELECT table_to_xml('customers', true, false, '') AS x");
    await admin.query('GRANT SELECT ON customers_xml TO PUBLIC');
    h = await startHarness(
      testConfig((c) => {
        c.instances.push({ id: 'pgr', engine: 'postgres', url: pgUrl } as never, { id: 'myr', engine: 'mysql', url: myUrl } as never);
        c.projects[0].databases.push({ name: PG, environment: 'prod' }, { name: MY, environment: 'prod' });
        // Masked runs resolve names through masking views named like their tables.
        c.masking.push({ database: PG, table: 'customers', column: 'email', algorithm: 'partial' }, { database: MY, table: 'customers', column: 'email', algorithm: 'partial' });
        c.approvalRules.REQUEST_ACCESS = [
          { title: 'Customers: owner, then DBA', condition: 'resource.table_name == "customers"', steps: [['projectOwner'], ['workspaceDBA']] },
          { title: 'Anything else: owner', condition: 'true', steps: [['projectOwner']] },
        ];
      }),
    );
  });
  after(async () => {
    await h?.close();
    await admin?.query('DROP VIEW IF EXISTS customers_xml');
    await admin?.end();
  });

  const create = (database: string, statement: string, extra: Record<string, unknown> = {}) =>
    h.json('alice', 'POST', `${API}/projects/shop/access-requests`, { databases: [database], statement, duration: '1h', reason: 'issue 14', ...extra });

  const READS_CUSTOMERS: [string, string, Record<string, unknown>?][] = [
    [PG, 'SELECT name FROM CUSTOMERS'],
    [PG, 'SELECT name FROM "customers"'],
    // Masked runs read masked tables through masking views only: named by schema, the table is the real one.
    [PG, 'SELECT name FROM public.customers', { unmask: true }],
    [PG, 'SELECT name FROM ONLY customers'],
    [PG, 'SELECT 1 /* /* */ */ FROM customers'],
    [PG, 'WITH c AS (SELECT name FROM customers) SELECT * FROM c'],
    [PG, 'SELECT name FROM vip_customers', { unmask: true }],
    [PG, 'SELECT * FROM order_items oi WHERE oi.id IN (SELECT id FROM customers)'],
    [PG, 'SELECT * FROM contact_digest', { unmask: true }],
    [MY, 'SELECT 1 --1 FROM customers'],
    [MY, 'SELECT c.name FROM customers c'],
    [MY, 'SELECT c.name FROM customers c', { unmask: true }],
    [MY, 'SELECT (SELECT max(id) FROM customers) AS m'],
    [MY, 'SELECT name FROM customers WHERE 0'],
    [MY, 'WITH x AS (SELECT name FROM customers) SELECT * FROM x'],
    [MY, 'SELECT 1 # no comment ends here\nFROM customers'],
  ];
  for (const [database, statement, extra] of READS_CUSTOMERS) {
    it(`${database}: ${statement.replace(/\n/g, ' ')} → owner, then DBA`, async () => {
      const created = await create(database, statement, extra);
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.request.rule.title, 'Customers: owner, then DBA');
      assert.deepEqual(stepsOf(created.body.request), [['projectOwner'], ['workspaceDBA']]);
    });
  }

  it('a CTE named like a table is not the table, and an alias is not a table: owner only', async () => {
    for (const [database, statement, unmask] of [
      [PG, 'WITH customers AS (SELECT 1 AS id) SELECT id FROM customers', false],
      [MY, 'WITH customers AS (SELECT 1 AS id) SELECT id FROM customers', false],
      [MY, 'SELECT customers.id FROM orders customers', false],
      [MY, 'SELECT customers.id FROM orders customers', true],
    ] as const) {
      const created = await create(database, statement, { unmask });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.request.rule.title, 'Anything else: owner', `${database}: ${statement}`);
    }
  });

  it('an unknown table is refused with its name and position, on each engine', async () => {
    await expectRefused(h, () => create(PG, 'SELECT name\nFROM customerz'), 400, 'INVALID_ARGUMENT', /"customerz"/, /not a table or view of database pgr\/crm/, /line 2, column 6/);
    // lower_case_table_names = 0: MariaDB on Linux keeps table names case-sensitive.
    for (const unmask of [false, true]) {
      await expectRefused(h, () => create(MY, 'SELECT name FROM CUSTOMERS', { unmask }), 400, 'INVALID_ARGUMENT', /"CUSTOMERS"/, /not a table or view of database myr\/crm/, /line 1, column 18/);
    }
  });

  it('a masked request names the masked table by its schema: refused when requested, saying how to name it', async () => {
    await expectRefused(h, () => create(PG, 'SELECT name FROM public.customers'), 400, 'INVALID_ARGUMENT', /permission denied for table customers/, /name the table without its schema/);
  });

  it('fail closed: a read the plan cannot show is refused, saying why', async () => {
    await expectRefused(h, () => create(PG, 'SELECT x FROM customers_xml', { unmask: true }), 400, 'INVALID_ARGUMENT', /table_to_xml\(\)/, /cannot be told before it runs/);
    await expectRefused(h, () => create(PG, "SELECT xpath('/x', table_to_xml('customers', true, false, ''))"), 400, 'INVALID_ARGUMENT', /table_to_xml\(\) is not allowed/);
    await expectRefused(h, () => create(PG, "SELECT query_to_xml('select name from customers', true, false, '')"), 400, 'INVALID_ARGUMENT', /query_to_xml\(\)/);
  });

  it('rules are checked against the tables the engines list: a name only PostgreSQL has is known, a spelling no engine resolves is flagged', async () => {
    const rules = {
      REQUEST_ACCESS: [
        { title: 'Stats', condition: 'resource.table_name == "customer_stats"', steps: [['workspaceDBA']] },
        { title: 'Loud', condition: 'resource.table_name == "Orders"', steps: [['workspaceDBA']] },
      ],
      REQUEST_ROLE: [],
    };
    const saved = await h.json('admin', 'PUT', `${API}/approval-rules`, rules);
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    assert.deepEqual(saved.body.warnings.map((w: { field?: string }) => w.field), ['REQUEST_ACCESS.1.condition']);
    assert.match(saved.body.warnings[0].message, /did you mean "orders"\?/);
  });

  it('MariaDB lists the database\'s tables and views as the server names them', async () => {
    const tables = await h.service.deps.engines.get('myr')!.tables('crm', { timeoutMs: 10_000 });
    const names = new Set(tables.map((t) => t.table));
    for (const name of ['customer_contacts', 'customers', 'orders']) assert.ok(names.has(name), `${name} in ${[...names].join(', ')}`);
  });
});
