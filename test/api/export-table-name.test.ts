// The SQL export inserts into the table its rows come from (by the driver's lineage), or into
// "result" when they do not all come from one table — never into a name made of the grant id.
import assert from 'node:assert/strict';
import { approveAllSteps, startHarness, testConfig, type Harness } from '../support/harness.js';
import { API, requestAccess } from './helpers.js';

const insertsInto = (sql: string) => [...new Set([...sql.matchAll(/^INSERT INTO ("[^"]+")/gm)].map((m) => m[1]))];

describe('SQL export table name', () => {
  let h: Harness;
  beforeEach(async () => (h = await startHarness(testConfig((c) => {
    c.projects[0].members.find((m) => m.user === 'bob')!.roles.push('projectExporter');
  }))));
  afterEach(async () => h.close());

  async function grantExport(statement: string, databases = ['demo/sales']) {
    const id = await approveAllSteps(h, await requestAccess(h, { databases, statement, export: true }));
    const res = await h.call('alice', 'GET', `${API}/grants/${id}/export?format=sql`);
    assert.equal(res.status, 200);
    return { id, sql: await res.text() };
  }

  it('names the one table every column comes from', async () => {
    const { id, sql } = await grantExport('SELECT id, name FROM customers ORDER BY id LIMIT 2');
    assert.deepEqual(insertsInto(sql), ['"customers"']);
    assert.match(sql, /^INSERT INTO "customers" \("id", "name"\) VALUES \(1, '.+'\);$/m);
    assert.doesNotMatch(sql, new RegExp(`grant-${id}`));
  });

  it('falls back to "result" for a join, a computed column, or a masked column', async () => {
    const joined = await grantExport('SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id LIMIT 2');
    assert.deepEqual(insertsInto(joined.sql), ['"result"']);
    const computed = await grantExport('SELECT id, upper(name) AS name FROM customers LIMIT 2');
    assert.deepEqual(insertsInto(computed.sql), ['"result"']);
    const masked = await grantExport('SELECT name, email FROM employees LIMIT 2', ['demo/hr']);
    assert.deepEqual(insertsInto(masked.sql), ['"result"']);
  });

  it('a direct export by role names the table too', async () => {
    const res = await h.call('bob', 'POST', `${API}/projects/shop/export`, { database: 'demo/sales', statement: 'SELECT id, product FROM orders LIMIT 2', format: 'sql' });
    assert.equal(res.status, 200);
    assert.deepEqual(insertsInto(await res.text()), ['"orders"']);
  });
});
