// Edges of the masking plan that the main tests do not reach: no rules at all, a
// schema-qualified rule against lineage from another schema, and an unqualified column when
// only one of the tables read has masked columns.
import assert from 'node:assert/strict';
import type { EngineColumn, MaskedColumnRule } from '../../../server/engines/engine.js';
import { planMasking } from '../../../server/masking/mask-plan.js';

const column = (name: string, source: EngineColumn['source']): EngineColumn => ({ name, type: 'text', source });

describe('masking plan: edges', () => {
  it('with no masking rules every column passes through (null, not undefined)', () => {
    const plan = planMasking({
      columns: [column('email', { table: 'employees', column: 'email' }), column('n', null)],
      rules: [],
      reads: { tables: ['employees'], columns: [{ table: null, column: '*' }], compound: true },
    });
    assert.deepEqual(plan, [null, null]);
  });

  it('a rule qualified with one schema does not match lineage from another schema', () => {
    const rules: MaskedColumnRule[] = [{ table: 'hr.employees', column: 'email', algorithm: 'partial' }];
    const reads = { tables: ['employees'], columns: [{ table: 'employees', column: 'email' }], compound: false };
    assert.deepEqual(planMasking({ columns: [column('email', { schema: 'public', table: 'employees', column: 'email' })], rules, reads }), [null]);
    assert.deepEqual(planMasking({ columns: [column('email', { schema: 'hr', table: 'employees', column: 'email' })], rules, reads }), ['partial']);
  });

  it('a rule names one table: a same-named column of another table passes through', () => {
    const rules: MaskedColumnRule[] = [{ table: 'employees', column: 'email', algorithm: 'partial' }];
    const plan = planMasking({
      columns: [column('email', { table: 'customers', column: 'email' })],
      rules,
      reads: { tables: ['customers'], columns: [{ table: 'customers', column: 'email' }], compound: false },
    });
    assert.deepEqual(plan, [null]);
  });

  it('an unqualified column may come from any table read: one masked table is enough to mask a computed column', () => {
    const rules: MaskedColumnRule[] = [{ table: 'employees', column: 'email', algorithm: 'partial' }];
    const plan = planMasking({
      columns: [column('e', null)],
      rules,
      reads: { tables: ['customers', 'employees'], columns: [{ table: null, column: 'email' }], compound: false },
    });
    assert.deepEqual(plan, ['full']);
  });
});
