// The tables of MariaDB's rewrite of a statement (EXPLAIN EXTENDED's note 1003), as the server
// prints it: tables as `db`.`table` (with an alias after a space), columns as `db`.`alias`.`column`.
import assert from 'node:assert/strict';
import { tablesOfRewrite } from '../../../server/engines/mysql-reads.js';

describe('MariaDB rewrite: the tables a statement reads (issue 14)', () => {
  it('names tables, not aliases, and not the aliases of column references', () => {
    assert.deepEqual(tablesOfRewrite('select `crm`.`customers`.`id` AS `id` from `crm`.`orders` `customers`'), [{ schema: 'crm', table: 'orders' }]);
    assert.deepEqual(
      tablesOfRewrite('/* select#1 */ select (/* select#2 */ select max(`crm`.`o`.`id`) from `crm`.`orders` `o`) AS `m` from `crm`.`customers` `c2` semi join (`crm`.`orders`) where 1'),
      [{ schema: 'crm', table: 'orders' }, { schema: 'crm', table: 'customers' }],
    );
  });

  it('reads names with backticks doubled, and nothing out of string literals', () => {
    assert.deepEqual(tablesOfRewrite("select 'x `crm`.`secrets` \\' `crm`.`more`' AS `s` from `crm`.`we``ird`"), [{ schema: 'crm', table: 'we`ird' }]);
  });
});
