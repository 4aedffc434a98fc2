// What a PostgreSQL statement reads, from its plan (EXPLAIN (VERBOSE, FORMAT JSON)): every
// relation a plan node scans, with its schema. The planner has already replaced views by their
// base tables and resolved names with the run's own search path and case folding; a CTE is a
// "CTE Scan", not a relation. What the plan cannot show is a table read by a function at run
// time (a relation or a query named in text, a function of the database's own): a plan that
// calls any function off the allowlist is reported as unknown.
import type { StatementReads, TableRead } from './engine.js';
import { POSTGRES_FUNCTIONS } from './postgres-functions.js';
import { MASK_SCHEMA } from './postgres-provision.js';

/** Relations a statement could name, as `reads` names them (catalog spelling, with schema). */
export const TABLES_QUERY = `SELECT n.nspname AS schema, c.relname AS table
   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
    AND n.nspname NOT IN ('pg_catalog', 'information_schema', '${MASK_SCHEMA}')
    AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
  ORDER BY 1, 2`;

/**
 * The relations given ($1 schemas, $2 names) with every table they inherit from or are a
 * partition of: a plan scans the partitions of a partitioned table, never the table named.
 */
export const WITH_ANCESTORS_QUERY = `WITH RECURSIVE up(oid) AS (
    SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      JOIN unnest($1::text[], $2::text[]) AS t(s, r) ON n.nspname = t.s AND c.relname = t.r
    UNION SELECT i.inhparent FROM pg_inherits i JOIN up ON i.inhrelid = up.oid)
  SELECT n.nspname AS schema, c.relname AS table FROM up JOIN pg_class c ON c.oid = up.oid JOIN pg_namespace n ON n.oid = c.relnamespace`;

// Words the deparsed expressions of a plan put before "(" that are not calls: clauses of
// aggregates and windows, and multi-word type names with a modifier.
const PLAN_SYNTAX = new Set(['filter', 'over', 'group', 'by', 'partition', 'varying', 'precision', 'zone', 'without', 'values']);

const STRING_LITERAL = /'(?:[^']|'')*'/g;
const CALL = /(?:"((?:[^"]|"")+)"|([A-Za-z_][A-Za-z0-9_$]*))\s*\(/g;

/** The first call in a deparsed expression to a function off the allowlist, or undefined. */
function unlistedCall(expression: string): string | undefined {
  for (const m of expression.replace(STRING_LITERAL, "''").matchAll(CALL)) {
    const name = m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2].toLowerCase();
    if (!POSTGRES_FUNCTIONS.has(name) && !PLAN_SYNTAX.has(name)) return name;
  }
  return undefined;
}

// Keys whose values are names, never expressions.
const NAME_KEYS = new Set(['Node Type', 'Relation Name', 'Schema', 'Alias', 'CTE Name', 'Parent Relationship', 'Subplan Name', 'Strategy', 'Join Type', 'Index Name']);

export function planReads(plan: unknown): StatementReads {
  const tables = new Map<string, TableRead>();
  let unknown: string | undefined;
  const visit = (value: unknown, key: string) => {
    if (typeof value === 'string') {
      const call = NAME_KEYS.has(key) ? undefined : unlistedCall(value);
      if (call !== undefined) unknown ??= `it calls ${call}(), which may read tables its plan does not show`;
    } else if (Array.isArray(value)) {
      for (const item of value) visit(item, key);
    } else if (value && typeof value === 'object') {
      const node = value as Record<string, unknown>;
      const table = node['Relation Name'];
      if (typeof table === 'string') {
        const schema = typeof node.Schema === 'string' ? node.Schema : undefined;
        tables.set(`${schema}\0${table}`, { schema, table });
      }
      for (const [k, v] of Object.entries(node)) visit(v, k);
    }
  };
  visit(plan, '');
  return unknown === undefined ? { tables: [...tables.values()] } : { unknown };
}
