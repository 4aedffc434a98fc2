// Routes a request to its approval steps. Per target (database × table), the first rule whose
// condition is true wins; over several targets the strictest winner (most steps) routes the
// request. Fail closed: a target that no rule matches — or whose condition cannot be
// evaluated — requires a workspaceAdmin, never an auto-approval.
import type { ApprovalRule, ApprovalRules, ApprovalSource } from '../config/schema.js';
import type { StepRole } from '../domain/types.js';
import { compileCondition, type CompiledCondition } from './cel.js';

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

type Compiled = { rule: ApprovalRule; index: number; test: CompiledCondition }[];

const cache = new WeakMap<ApprovalRule[], Compiled>();

function compiled(source: ApprovalSource, rules: ApprovalRule[]): Compiled {
  let list = cache.get(rules);
  if (!list) {
    list = rules.map((rule, index) => ({ rule, index, test: compileCondition(source, rule.condition) }));
    cache.set(rules, list);
  }
  return list;
}

/** First matching rule for one target; undefined when none matches or evaluation fails. */
function firstMatch(list: Compiled, context: Record<string, unknown>): Compiled[number] | undefined {
  for (const entry of list) {
    let value: unknown;
    try {
      value = entry.test(context);
    } catch {
      return undefined;
    }
    if (value === true) return entry;
  }
  return undefined;
}

export function routeRequest(rules: ApprovalRules, source: ApprovalSource, targets: Record<string, unknown>[]): Route {
  const list = compiled(source, rules[source]);
  let best: Compiled[number] | undefined;
  let unmatched = targets.length === 0;
  for (const context of targets) {
    const match = firstMatch(list, context);
    if (!match) unmatched = true;
    else if (!best || match.rule.steps.length > best.rule.steps.length) best = match;
  }
  if (!best) return { rule: { title: FAIL_CLOSED_TITLE, source, index: null }, steps: [ADMIN_STEP] };
  const steps = best.rule.steps.map((s) => [...s]);
  if (unmatched && !steps.some((s) => s.includes('workspaceAdmin'))) steps.push(ADMIN_STEP);
  return { rule: { title: best.rule.title, source, index: best.index }, steps };
}
