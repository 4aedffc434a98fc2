// Where a statement names a table the engine could not resolve: the refusal the user gets
// points at it (line and column), whatever the case the engine reports the name in.
import assert from 'node:assert/strict';
import { locateName } from '../../../server/sql/locate.js';

describe('statement text: where a table is named', () => {
  it('finds the first word or quoted name spelling it, in any case, and not inside a string', () => {
    assert.deepEqual(locateName("SELECT 'orders' FROM Orders", 'postgres', 'ORDERS'), { line: 1, column: 22 });
    assert.deepEqual(locateName('SELECT *\nFROM "Orders" JOIN orders', 'sqlite', 'orders'), { line: 2, column: 6 });
    assert.deepEqual(locateName('SELECT * FROM `orders`', 'mysql', 'orders'), { line: 1, column: 15 });
    assert.deepEqual(locateName('SELECT 2024 FROM "2024"', 'postgres', '2024'), { line: 1, column: 18 }, 'a number is not a name');
  });

  it('gives no position when the text does not spell the name, or cannot be read', () => {
    assert.equal(locateName('SELECT * FROM orders_2024', 'postgres', 'orders'), undefined);
    assert.equal(locateName("SELECT * FROM orders WHERE a = 'open", 'postgres', 'orders'), undefined);
  });
});
