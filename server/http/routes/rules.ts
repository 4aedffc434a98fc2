import { createRoute } from '@hono/zod-openapi';
import { APPROVAL_SOURCES } from '../../config/schema.js';
import { changeConfig } from '../../domain/config-changes.js';
import type { Actor, Deps } from '../../domain/deps.js';
import { denied, invalid } from '../../domain/errors.js';
import { ruleWarnings } from '../../domain/rule-warnings.js';
import { checkCondition } from '../../policy/cel.js';
import type { ApprovalRules as Rules } from '../../config/schema.js';
import { errors, json, jsonBody, router, secured } from '../env.js';
import { ApprovalRules, SavedApprovalRules } from '../../../contract/schemas.js';

/** Type-checks every condition; the first bad one is named with its position. */
export function checkRules(rules: Rules): { message: string; details: Record<string, unknown> } | undefined {
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

const mayManage = (actor: Actor) => actor.workspaceRole === 'workspaceAdmin' || actor.workspaceRole === 'workspaceDBA';

const get = createRoute({ method: 'get', path: '/approval-rules', security: secured, summary: 'Get the approval rules', responses: { 200: json(ApprovalRules), 401: errors[401], 403: errors[403] } });
const put = createRoute({ method: 'put', path: '/approval-rules', security: secured, summary: 'Replace the approval rules', request: jsonBody(ApprovalRules), responses: { 200: json(SavedApprovalRules, 'The rules saved, and warnings about names in them that no database has'), 400: errors[400], 401: errors[401], 403: errors[403] } });

export const ruleRoutes = (deps: Deps) =>
  router()
    .openapi(get, async (c) => {
      if (!mayManage(c.get('actor'))) throw denied('Only workspace admins and DBAs can see the approval rules');
      return c.json((await deps.config.read()).approvalRules, 200);
    })
    .openapi(put, async (c) => {
      const actor = c.get('actor');
      if (!mayManage(actor)) throw denied('Only workspace admins and DBAs can change the approval rules');
      const rules = c.req.valid('json');
      const problem = checkRules(rules);
      if (problem) throw invalid(problem.message, problem.details);
      const state = await changeConfig(deps, actor, { action: 'rules.changed', detail: { rules } }, (draft) => {
        draft.approvalRules = rules;
      });
      return c.json({ ...state.approvalRules, warnings: await ruleWarnings(deps, state, rules) }, 200);
    });
