// The approval rules: read and replaced by workspace admins and DBAs; every condition must
// type-check before any rule is saved.
import { APPROVAL_SOURCES, type ApprovalRules } from '../config/schema.js';
import { checkCondition } from '../policy/cel.js';
import { authorizeWorkspace } from './authorization.js';
import { changeConfig } from './config-changes.js';
import type { Actor, Deps } from './deps.js';
import { invalid } from './errors.js';
import { ruleWarnings } from './rule-warnings.js';

/** Type-checks every condition; the first bad one is named with its position. */
export function checkRules(rules: ApprovalRules): { message: string; details: Record<string, unknown> } | undefined {
  for (const source of APPROVAL_SOURCES) {
    for (const [index, rule] of rules[source].entries()) {
      const problem = checkCondition(source, rule.condition);
      if (problem) {
        const where = problem.line ? ` at line ${problem.line}, column ${problem.column}` : '';
        return {
          message: `${source} rule ${index + 1} ("${rule.title}"): ${problem.message}${where}`,
          details: { field: `${source}.${index}.condition`, source, index, title: rule.title, line: problem.line, column: problem.column },
        };
      }
    }
  }
  return undefined;
}

export async function readApprovalRules(deps: Deps, actor: Actor): Promise<ApprovalRules> {
  authorizeWorkspace(actor, 'approval-rules.read');
  return (await deps.config.read()).approvalRules;
}

/** Saves the rules and returns them with warnings about names in them that no database has. */
export async function replaceApprovalRules(deps: Deps, actor: Actor, rules: ApprovalRules) {
  authorizeWorkspace(actor, 'approval-rules.change');
  const problem = checkRules(rules);
  if (problem) throw invalid(problem.message, problem.details);
  const state = await changeConfig(deps, actor, { action: 'rules.changed', detail: { rules } }, (draft) => {
    draft.approvalRules = rules;
  });
  return { ...state.approvalRules, warnings: await ruleWarnings(deps, state, rules) };
}
