// Decides, per result column, whether and how to mask. Lineage from the driver comes first;
// where it is missing (an expression, an aggregate, a driver that cannot tell) and the
// statement reads any masked column, the column is masked in full: fail closed.
import type { MaskingAlgorithm, MaskingRule } from '../config/schema.js';
import type { Cell, EngineColumn } from '../engines/engine.js';
import { maskValue } from './algorithms.js';

export interface ReadColumn {
  /** null when the statement does not qualify the column. */
  table: string | null;
  /** "*" for a star. */
  column: string;
}

export interface MaskInput {
  /** "<instance>/<database>" */
  database: string;
  columns: EngineColumn[];
  rules: MaskingRule[];
  /** What the statement reads, from the statement gate. */
  reads: { tables: string[]; columns: ReadColumn[]; compound: boolean };
}

/** Per result column: the algorithm to apply, or null to pass the value through. */
export type MaskPlan = (MaskingAlgorithm | null)[];

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export function planMasking(input: MaskInput): MaskPlan {
  const rules = input.rules.filter((r) => r.database === input.database);
  if (rules.length === 0) return input.columns.map(() => null);
  const ruleFor = (table: string, column: string) => rules.find((r) => same(r.table, table) && same(r.column, column));
  const maskedTables = new Set(rules.map((r) => r.table.toLowerCase()));
  // Does the statement read any masked column? Unqualified names may come from any table it reads;
  // a star reads every column of its table(s).
  const readsMasked = input.reads.columns.some((c) => {
    const tables = c.table ? [c.table] : input.reads.tables;
    return tables.some((t) => (c.column === '*' ? maskedTables.has(t.toLowerCase()) : !!ruleFor(t, c.column)));
  });
  return input.columns.map((col) => {
    if (col.source) {
      const rule = ruleFor(col.source.table, col.source.column);
      if (rule) return rule.algorithm;
      // Lineage of a UNION comes from its first branch; later branches may feed a masked
      // column into the same result column.
      return input.reads.compound && readsMasked ? 'full' : null;
    }
    return readsMasked ? 'full' : null;
  });
}

export function applyMasking(plan: MaskPlan, rows: Cell[][]): Cell[][] {
  if (plan.every((p) => p === null)) return rows;
  return rows.map((row) => row.map((v, i) => (plan[i] ? maskValue(plan[i]!, v) : v)));
}
