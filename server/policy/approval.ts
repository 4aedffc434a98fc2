// Routes a request to its approval steps. Per target (database × table), the first rule whose
// condition is true wins; over several targets the strictest winner (most steps) routes the
// request. Fail closed: a target that no rule matches — or whose condition cannot be
// evaluated — requires a workspaceAdmin, never an auto-approval.
import type { ApprovalRule, ApprovalRules, ApprovalSource } from '../config/schema.js';
import type { StepRole } from '../domain/types.js';
import { compileCondition, readsTable, type CompiledCondition } from './cel.js';

export interface RoutedRule {
  title: string;
  source: ApprovalSource;
  /** Index in the source's rule list; null when no rule matched (fail closed). */
  index: number | null;
}

export interface Route {
  rule: RoutedRule;
  steps: StepRole[][];
}

export const FAIL_CLOSED_TITLE = 'No approval rule matched: a workspace admin must approve';
const ADMIN_STEP: StepRole[] = ['workspaceAdmin'];

type Compiled = { rule: ApprovalRule; index: number; test: CompiledCondition; perTable: boolean }[];

const cache = new WeakMap<ApprovalRule[], Compiled>();

function compiled(source: ApprovalSource, rules: ApprovalRule[]): Compiled {
  let list = cache.get(rules);
  // Stryker disable next-line ConditionalExpression: compiling again gives the same conditions; the cache only saves time.
  if (!list) {
    // A condition that cannot read the table gives one answer for every table of a
    // database; it is evaluated once per database, not once per table.
    list = rules.map((rule, index) => ({ rule, index, test: compileCondition(source, rule.condition), perTable: readsTable(rule.condition) }));
    cache.set(rules, list);
  }
  return list;
}

const ERROR = Symbol('evaluation error');

/** First matching rule for one target; undefined when none matches or evaluation fails. */
function firstMatch(list: Compiled, context: Record<string, unknown>, memo: Map<number, unknown>): Compiled[number] | undefined {
  for (const entry of list) {
    // Stryker disable next-line ConditionalExpression: not reading the memo evaluates the condition again, to the same answer.
    let value = entry.perTable ? undefined : memo.get(entry.index);
    // Stryker disable next-line ConditionalExpression: evaluating a remembered condition again gives the same answer.
    if (value === undefined) {
      try {
        value = entry.test(context);
      } catch {
        value = ERROR;
      }
      // Stryker disable next-line ConditionalExpression,BooleanLiteral: an unfilled memo only costs evaluations, and a table-dependent answer stored in it is never read.
      if (!entry.perTable) memo.set(entry.index, value);
    }
    if (value === ERROR) return undefined;
    if (value === true) return entry;
  }
  return undefined;
}

const bigintAsText = (_key: string, value: unknown) => (typeof value === 'bigint' ? value.toString() : value);

/**
 * Targets that differ only in table_name (the tables of one database, for the same request)
 * share the memo of table-independent rules. `seen` spares re-serializing a request object
 * that several targets share.
 */
function memoKey(context: Record<string, unknown>, seen: Map<unknown, string>): string {
  const { table_name: _table, ...resource } = (context.resource ?? {}) as Record<string, unknown>;
  let request = seen.get(context.request);
  // Stryker disable next-line ConditionalExpression: serializing the request again gives the same key.
  if (request === undefined) seen.set(context.request, (request = JSON.stringify(context.request, bigintAsText)));
  return `${request}\n${JSON.stringify(resource)}`;
}

export function routeRequest(rules: ApprovalRules, source: ApprovalSource, targets: Record<string, unknown>[]): Route {
  const list = compiled(source, rules[source]);
  let best: Compiled[number] | undefined;
  let unmatched = targets.length === 0;
  const memos = new Map<string, Map<number, unknown>>();
  const seen = new Map<unknown, string>();
  for (const context of targets) {
    const key = memoKey(context, seen);
    let memo = memos.get(key);
    // Stryker disable next-line ConditionalExpression: a fresh memo per target only costs evaluations.
    if (!memo) memos.set(key, (memo = new Map()));
    const match = firstMatch(list, context, memo);
    if (!match) unmatched = true;
    else if (!best || match.rule.steps.length > best.rule.steps.length) best = match;
  }
  if (!best) return { rule: { title: FAIL_CLOSED_TITLE, source, index: null }, steps: [ADMIN_STEP] };
  const steps = best.rule.steps.map((s) => [...s]);
  if (unmatched && !steps.some((s) => s.includes('workspaceAdmin'))) steps.push(ADMIN_STEP);
  return { rule: { title: best.rule.title, source, index: best.index }, steps };
}
