// What an admin is told when saving approval rules that name a table or database the workspace
// does not have: such a rule never matches (names are compared as the engines resolve them,
// e.g. "customers", never "CUSTOMERS", on PostgreSQL and SQLite). The rules are saved anyway —
// a rule may be written before its table is created, and an instance that is down must not
// block a change of the rules — and the response lists the warnings.
import { parseDuration } from '../../contract/duration.js';
import { APPROVAL_SOURCES, type ApprovalRules, type ApprovalSource } from '../config/schema.js';
import { namedValues } from '../policy/rule-names.js';
import type { State } from '../store/config-store.js';
import type { Deps } from './deps.js';

export interface RuleWarning {
  message: string;
  /** The rule's condition, as "SOURCE.index.condition"; absent for a warning about an instance. */
  field?: string;
  source?: ApprovalSource;
  index?: number;
  title?: string;
}

const quoted = (names: Iterable<string>) => [...names].map((n) => `"${n}"`).join(', ');

/** Names that differ from `name` only in case: the spelling the engines resolve it to. */
const sameButCase = (name: string, known: Set<string>) => [...known].filter((k) => k !== name && k.toLowerCase() === name.toLowerCase());

/** The tables of every database of the workspace, as the engines name them, and warnings for those that could not be listed. */
async function workspaceTables(deps: Deps, state: State): Promise<{ tables: Set<string>; warnings: RuleWarning[] }> {
  const timeoutMs = parseDuration(state.workspace.queryTimeout)!;
  const tables = new Set<string>();
  const warnings: RuleWarning[] = [];
  const databases = new Set(state.projects.flatMap((p) => p.databases.map((d) => d.name)));
  for (const name of databases) {
    const [instance, database] = name.split('/');
    try {
      const engine = deps.engines.get(instance);
      if (!engine) throw new Error(`instance "${instance}" is not available`);
      for (const t of await engine.tables(database, { timeoutMs })) tables.add(t.table);
    } catch (err) {
      warnings.push({ message: `The tables of ${name} could not be listed (${(err as Error).message}): table names were checked against the other databases only` });
    }
  }
  return { tables, warnings };
}

export async function ruleWarnings(deps: Deps, state: State, rules: ApprovalRules): Promise<RuleWarning[]> {
  const named = APPROVAL_SOURCES.flatMap((source) => rules[source].flatMap((rule, index) => namedValues(rule.condition).map((v) => ({ ...v, source, index, title: rule.title }))));
  if (named.length === 0) return [];
  const databases = new Set(state.projects.flatMap((p) => p.databases.map((d) => d.name.split('/')[1])));
  const listed = named.some((n) => n.attribute === 'table_name') ? await workspaceTables(deps, state) : { tables: new Set<string>(), warnings: [] };
  const warnings = [...listed.warnings];
  for (const n of named) {
    const known = n.attribute === 'table_name' ? listed.tables : databases;
    if (known.has(n.name)) continue;
    const near = sameButCase(n.name, known);
    const what = n.attribute === 'table_name' ? 'a table or view of any database of the workspace' : 'the name of any database of the workspace';
    const hint = near.length ? ` (names are compared as the engines resolve them: did you mean ${quoted(near)}?)` : '';
    warnings.push({
      message: `${n.source} rule ${n.index + 1} ("${n.title}") compares resource.${n.attribute} with "${n.name}", which is not ${what}: it never matches${hint}`,
      field: `${n.source}.${n.index}.condition`, source: n.source, index: n.index, title: n.title,
    });
  }
  return warnings;
}
