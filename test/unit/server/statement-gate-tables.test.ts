// Issue 14: the gate's list of tables is a hint (approval routing asks the engine), but it
// must read the statement as the dialect does: what the engine reads as code is not hidden in
// a comment, a keyword is not a table, and a CTE is not one.
import assert from 'node:assert/strict';
import type { EngineKind } from '../../../server/engines/engine.js';
import { checkStatement, resetStatementGate } from '../../../server/sql/statement-gate.js';

const tables = (sql: string, kind: EngineKind) => checkStatement(sql, kind).tables;

describe('statement gate: the tables a statement names (issue 14)', () => {
  beforeEach(() => resetStatementGate());

  it('FROM ONLY customers names customers, not a table "ONLY"', () => {
    assert.deepEqual(tables('SELECT name FROM ONLY customers', 'postgres'), ['customers']);
    assert.deepEqual(tables('SELECT 1 FROM orders o JOIN ONLY public.customers c ON c.id = o.customer_id', 'postgres'), ['orders', 'customers']);
    assert.deepEqual(tables('SELECT only FROM only_items', 'postgres'), ['only_items']);
  });

  it('PostgreSQL block comments nest: what follows the outer close is code', () => {
    assert.deepEqual(tables('SELECT 1 /* /* */ */ FROM customers', 'postgres'), ['customers']);
    assert.deepEqual(tables('SELECT 1 /* /* */ FROM customers */', 'postgres'), []);
  });

  it('MySQL: "--" starts a comment only before whitespace; "#" starts one', () => {
    assert.deepEqual(tables('SELECT 1 --1 FROM customers', 'mysql'), ['customers']);
    assert.deepEqual(tables('SELECT 1 -- 1 FROM customers', 'mysql'), []);
    assert.deepEqual(tables('SELECT 1 # FROM orders\nFROM customers', 'mysql'), ['customers']);
  });

  it('MySQL executable comments are refused, with their position', () => {
    assert.throws(() => tables('SELECT 1 /*! FROM customers */', 'mysql'), /executable comments .* \(line 1, column 10\)/);
  });

  it('a CTE is not a table, unless its name is the table\'s where it is used', () => {
    assert.deepEqual(tables('WITH c AS (SELECT id FROM customers) SELECT * FROM c', 'postgres'), ['customers']);
    assert.deepEqual(tables('WITH a AS (SELECT 1 AS id), b AS (SELECT id FROM a) SELECT * FROM b', 'sqlite'), []);
    // Inside its own definition, "customers" is still the table.
    assert.deepEqual(tables('WITH customers AS (SELECT id FROM customers) SELECT * FROM customers', 'sqlite'), ['customers']);
  });

  it('names are given as spelled: the engine resolves them (CUSTOMERS is customers on PostgreSQL and SQLite)', () => {
    assert.deepEqual(tables('SELECT * FROM CUSTOMERS', 'postgres'), ['CUSTOMERS']);
  });
});
