// What a PostgreSQL plan (EXPLAIN (VERBOSE, FORMAT JSON)) says a statement reads, on plans of
// the shape the server prints: relations with their schema, CTE scans, deparsed expressions.
import assert from 'node:assert/strict';
import { planReads } from '../../../server/engines/postgres-reads.js';

const scan = (table: string, extra: Record<string, unknown> = {}) => ({ 'Node Type': 'Seq Scan', 'Relation Name': table, Schema: 'public', Alias: 'x', Output: ['x.id'], ...extra });
const plan = (root: Record<string, unknown>) => [{ Plan: root }];

describe('PostgreSQL plan: the tables a statement reads (issue 14)', () => {
  it('every scanned relation once, with its schema, in subplans too; a CTE scan is no table', () => {
    const root = {
      'Node Type': 'Hash Join',
      Output: ['c.name', '(SubPlan 1)'],
      Plans: [
        scan('customers'),
        { 'Node Type': 'CTE Scan', 'CTE Name': 'recent', Alias: 'recent', Plans: [scan('orders')] },
        { 'Node Type': 'Aggregate', 'Parent Relationship': 'SubPlan', 'Subplan Name': 'SubPlan 1', Plans: [scan('customers')] },
      ],
    };
    assert.deepEqual(planReads(plan(root)), { tables: [{ schema: 'public', table: 'customers' }, { schema: 'public', table: 'orders' }] });
  });

  it('allowlisted calls, aggregate and window clauses, type modifiers and string literals are not unknown reads', () => {
    const output = [
      'count(*) FILTER (WHERE (x.id > 1))',
      'row_number() OVER (?)',
      '(x.name)::character varying(20)',
      "'f(x) query_to_xml(''select 1'')'::text",
      'COALESCE(lower(x.name), NULL::text)',
    ];
    assert.deepEqual(planReads(plan(scan('customers', { Output: output }))), { tables: [{ schema: 'public', table: 'customers' }] });
  });

  it('a call off the allowlist anywhere in the plan makes the reads unknown: the function may read any table', () => {
    const inView = { 'Node Type': 'Result', Output: ["table_to_xml('customers'::regclass, true, false, ''::text)"] };
    assert.deepEqual(planReads(plan(inView)), { unknown: 'it calls table_to_xml(), which may read tables its plan does not show' });
    const scanned = { 'Node Type': 'Function Scan', 'Function Name': 'my_report', 'Function Call': 'public.my_report()', Schema: 'public', Alias: 'r' };
    assert.match(String((planReads(plan(scanned)) as { unknown: string }).unknown), /my_report\(\)/);
    assert.deepEqual(planReads(plan({ 'Node Type': 'Result', Output: ['"Odd"(1)'] })), { unknown: 'it calls Odd(), which may read tables its plan does not show' });
  });
});
