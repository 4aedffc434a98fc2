// The names an approval condition compares resource.table_name and resource.database_name
// with: each one is checked against the workspace's databases when the rules are saved, and
// a name missed here is a rule that silently never matches without a warning.
import assert from 'node:assert/strict';
import { namedValues } from '../../../server/policy/rule-names.js';

const table = (name: string) => ({ attribute: 'table_name', name });
const database = (name: string) => ({ attribute: 'database_name', name });

describe('approval rules: the table and database names a condition compares', () => {
  it('reads == and != comparisons in either order, with either quote', () => {
    assert.deepEqual(namedValues('resource.table_name == "CUSTOMERS"'), [table('CUSTOMERS')]);
    assert.deepEqual(namedValues("resource.table_name!='orders'"), [table('orders')]);
    assert.deepEqual(namedValues('"invoices" != resource.table_name'), [table('invoices')]);
    assert.deepEqual(namedValues("'Salez' == resource.database_name"), [database('Salez')]);
  });

  it('reads every name of an in-list, and every comparison of a condition', () => {
    assert.deepEqual(namedValues(`resource.table_name in ["orders", 'invoices'] && resource.database_name == "sales"`), [database('sales'), table('orders'), table('invoices')]);
    assert.deepEqual(namedValues('resource.database_name in []'), []);
  });

  it('unescapes the names', () => {
    assert.deepEqual(namedValues(String.raw`resource.table_name == "we\"ird" || resource.database_name == 'it\'s'`), [table('we"ird'), database("it's")]);
  });

  it('ignores names compared with other attributes, and tables matched by anything but equality', () => {
    assert.deepEqual(namedValues('request.statement == "orders" || resource.instance_id == "demo"'), []);
    assert.deepEqual(namedValues('resource.table_name.startsWith("pay")'), []);
  });
});
