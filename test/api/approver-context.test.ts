// What an approver sees besides the request: the databases' environments (production or
// not), the rule that routed it, the tables it reads, and what Unmask would reveal.
import assert from 'node:assert/strict';
import { startHarness, testConfig, type Harness } from '../support/harness.js';
import { API, callAs, requestAccess, requestRole } from './helpers.js';

describe('approver context on requests', () => {
  let h: Harness;
  beforeEach(async () =>
    (h = await startHarness(testConfig((c) => {
      c.projects[0].databases[1].environment = 'dev'; // demo/sales
    }))));
  afterEach(async () => h.close());

  const asApprover = async (id: string) => {
    const one = await callAs(h, 'bob', 'GET', `${API}/requests/${id}`);
    assert.equal(one.status, 200, JSON.stringify(one.body));
    const listed = (await callAs(h, 'bob', 'GET', `${API}/requests?view=to-approve`)).body.requests.find((r: any) => r.id === id);
    assert.deepEqual(listed.context, one.body.context, 'the list shows the same context');
    return one.body.context;
  };

  it('an Unmask read in prod: the prod badge, the rule, the tables read, and the masked columns it reveals', async () => {
    const { request } = await requestAccess(h, {
      databases: ['demo/hr'], unmask: true,
      statement: 'SELECT e.name, e.email FROM Employees e WHERE e.id IN (SELECT id FROM "employees")',
    });
    assert.deepEqual(request.context, await asApprover(request.id), 'the creation answer has it too');
    const context = await asApprover(request.id);
    assert.deepEqual(context.databases, [{ name: 'demo/hr', environment: 'prod', production: true }]);
    assert.deepEqual(context.rule, { title: 'Unmask or export needs the owner, then a DBA', source: 'REQUEST_ACCESS' });
    assert.deepEqual(context.tablesRead, [{ database: 'demo/hr', table: 'employees' }], 'named as the engine resolves it, once');
    assert.deepEqual(context.revealsMaskedColumns.map((c: any) => `${c.database}:${c.table}.${c.column}`).sort(), [
      'demo/hr:employees.email', 'demo/hr:employees.phone', 'demo/hr:employees.salary', 'demo/hr:employees.ssn',
    ]);
  });

  it('reveals nothing without Unmask, nor when the tables read hold no masked column', async () => {
    const plain = await requestAccess(h, { databases: ['demo/hr'], statement: 'SELECT name FROM employees' });
    assert.deepEqual((await asApprover(plain.request.id)).revealsMaskedColumns, []);
    const unmaskSales = await requestAccess(h, { unmask: true, statement: 'SELECT c.name, o.id FROM customers c JOIN orders o ON o.customer_id = c.id' });
    const context = await asApprover(unmaskSales.request.id);
    assert.deepEqual(
      [...context.tablesRead].sort((a: any, b: any) => a.table.localeCompare(b.table)),
      [{ database: 'demo/sales', table: 'customers' }, { database: 'demo/sales', table: 'orders' }],
    );
    assert.deepEqual(context.revealsMaskedColumns, []);
  });

  it('a database outside prod has no production badge', async () => {
    const { request } = await requestAccess(h, { databases: ['demo/sales', 'demo/hr'], statement: 'SELECT 1 AS one' });
    assert.deepEqual((await asApprover(request.id)).databases, [
      { name: 'demo/sales', environment: 'dev', production: false },
      { name: 'demo/hr', environment: 'prod', production: true },
    ]);
  });

  it('a role request: its rule, no tables and nothing to reveal', async () => {
    const request = await requestRole(h, { databases: ['demo/hr'] });
    const context = await asApprover(request.id);
    assert.deepEqual(context, {
      databases: [{ name: 'demo/hr', environment: 'prod', production: true }],
      rule: { title: 'Any role needs the owner, then a DBA', source: 'REQUEST_ROLE' },
      tablesRead: [],
      revealsMaskedColumns: [],
    });
  });
});
