import assert from 'node:assert/strict';
import type { MaskingRule } from '../../../server/config/schema.js';
import type { EngineColumn } from '../../../server/engines/engine.js';
import { planMasking, type MaskInput } from '../../../server/masking/mask-plan.js';

const RULES: MaskingRule[] = [
  { database: 'demo/hr', table: 'employees', column: 'email', algorithm: 'partial' },
  { database: 'demo/hr', table: 'employees', column: 'salary', algorithm: 'full' },
  { database: 'pg/hr', table: 'payroll.accounts', column: 'iban', algorithm: 'md5' },
  { database: 'other/db', table: 'items', column: 'name', algorithm: 'full' },
];

const col = (name: string, table?: string, column?: string, schema?: string): EngineColumn => ({
  name,
  type: 'text',
  source: table && column ? { table, column, ...(schema ? { schema } : {}) } : null,
});

function plan(columns: EngineColumn[], reads: Partial<MaskInput['reads']>, database = 'demo/hr') {
  return planMasking({ columns, rules: RULES.filter((r) => r.database === database), reads: { tables: [], columns: [], compound: false, ...reads } });
}

const readsEmployees = { tables: ['employees'], columns: [{ table: null, column: 'email' }, { table: null, column: 'name' }] };

describe('mask plan', () => {
  it('masks a column whose lineage is a masked column with its rule, under any alias', () => {
    assert.deepEqual(plan([col('contact', 'employees', 'email'), col('name', 'employees', 'name')], readsEmployees), ['partial', null]);
  });

  it('matches table and column names without regard to case', () => {
    assert.deepEqual(plan([col('E', 'Employees', 'EMAIL')], { tables: ['Employees'], columns: [{ table: null, column: 'EMAIL' }] }), ['partial']);
  });

  it('masks in full a computed column when the statement reads a masked column (fail closed)', () => {
    assert.deepEqual(plan([col('upper(email)'), col('name', 'employees', 'name')], readsEmployees), ['full', null]);
  });

  it('leaves a computed column alone when nothing masked is read', () => {
    assert.deepEqual(plan([col('n')], { tables: ['employees'], columns: [{ table: null, column: 'name' }] }), [null]);
  });

  it('counts a star over a table with masked columns as reading them', () => {
    const reads = { tables: ['employees'], columns: [{ table: null, column: '*' }] };
    assert.deepEqual(plan([col('count(*)')], reads), ['full']);
    assert.deepEqual(plan([col('count(*)')], { tables: ['departments'], columns: [{ table: null, column: '*' }] }), [null]);
  });

  it('counts a qualified read of a masked column through a join', () => {
    const reads = { tables: ['employees', 'departments'], columns: [{ table: 'employees', column: 'salary' }, { table: 'departments', column: 'name' }] };
    assert.deepEqual(plan([col('total'), col('name', 'departments', 'name')], reads), ['full', null]);
  });

  it('distrusts lineage in a UNION, whose later branches the driver does not describe', () => {
    const reads = { ...readsEmployees, compound: true };
    assert.deepEqual(plan([col('name', 'employees', 'name')], reads), ['full']);
    assert.deepEqual(plan([col('email', 'employees', 'email')], reads), ['partial']);
  });

  it('distrusts lineage that names a table the statement does not read (a derived table)', () => {
    assert.deepEqual(plan([col('x', 's', 'x')], { tables: ['employees'], columns: [{ table: 's', column: 'x' }, { table: null, column: 'email' }] }), ['full']);
  });

  it('matches a schema-qualified rule by the schema in the lineage, and by bare name in what is read', () => {
    const reads = { tables: ['accounts'], columns: [{ table: null, column: 'iban' }] };
    assert.deepEqual(plan([col('iban', 'accounts', 'iban', 'payroll')], reads, 'pg/hr'), ['md5']);
    assert.deepEqual(plan([col('iban', 'accounts', 'iban', 'public')], reads, 'pg/hr'), [null], 'another schema’s table');
    assert.deepEqual(plan([col('lower(iban)')], reads, 'pg/hr'), ['full']);
  });

  it('applies only the rules of the statement’s database', () => {
    assert.deepEqual(plan([col('name', 'items', 'name')], { tables: ['items'], columns: [{ table: null, column: 'name' }] }), [null]);
    assert.deepEqual(plan([col('name', 'items', 'name')], { tables: ['items'], columns: [{ table: null, column: 'name' }] }, 'other/db'), ['full']);
  });
});
