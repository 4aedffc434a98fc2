// Decides, per result column, whether it carries masked values, for the `masked` flag users
// see (the engines compute the masks themselves). Lineage from the driver comes first; where
// it is missing (an expression, an aggregate, a driver that cannot tell) and the statement
// reads any masked column, the column counts as masked in full.
import type { MaskingAlgorithm } from '../config/schema.js';
import type { EngineColumn, MaskedColumnRule } from '../engines/engine.js';

export interface ReadColumn {
  /** null when the statement does not qualify the column. */
  table: string | null;
  /** "*" for a star. */
  column: string;
}

export interface MaskInput {
  columns: EngineColumn[];
  /** The masking rules of the database the statement ran on. */
  rules: MaskedColumnRule[];
  /** What the statement reads, from the statement gate. */
  reads: { tables: string[]; columns: ReadColumn[]; compound: boolean };
}

/** Per result column: the algorithm to apply, or null to pass the value through. */
export type MaskPlan = (MaskingAlgorithm | null)[];

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export function planMasking(input: MaskInput): MaskPlan {
  const rules = input.rules;
  if (rules.length === 0) return input.columns.map(() => null);
  // A rule names its table bare or schema-qualified ("hr.employees"). Where the schema is not
  // known (the statement's table list, MySQL, SQLite) a qualified rule matches by bare name:
  // masking a same-named table in another schema is the safe mistake.
  const bare = (table: string) => table.slice(table.lastIndexOf('.') + 1);
  const tableMatches = (ruleTable: string, table: string, schema?: string) =>
    schema === undefined ? same(bare(ruleTable), table) || same(ruleTable, table) : same(ruleTable, table) || same(ruleTable, `${schema}.${table}`);
  const ruleFor = (table: string, column: string, schema?: string) =>
    rules.find((r) => tableMatches(r.table, table, schema) && same(r.column, column));
  const maskedTables = new Set(rules.map((r) => bare(r.table).toLowerCase()));
  const readTables = new Set(input.reads.tables.map((t) => t.toLowerCase()));
  // Does the statement read any masked column? Unqualified names may come from any table it reads;
  // a star reads every column of its table(s).
  const readsMasked = input.reads.columns.some((c) => {
    const tables = c.table ? [c.table] : input.reads.tables;
    return tables.some((t) => (c.column === '*' ? maskedTables.has(t.toLowerCase()) : !!ruleFor(t, c.column)));
  });
  return input.columns.map((col) => {
    if (col.source) {
      const rule = ruleFor(col.source.table, col.source.column, col.source.schema);
      if (rule) return rule.algorithm;
      // Lineage of a UNION comes from its first branch; later branches may feed a masked
      // column into the same result column. Lineage naming a table the statement does not
      // read (a derived table's alias) says nothing about where the values came from.
      const trusted = !input.reads.compound && readTables.has(col.source.table.toLowerCase());
      return !trusted && readsMasked ? 'full' : null;
    }
    return readsMasked ? 'full' : null;
  });
}
