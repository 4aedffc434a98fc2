import { createRoute } from '@hono/zod-openapi';
import { readApprovalRules, replaceApprovalRules } from '../../domain/approval-rules.js';
import type { Deps } from '../../domain/deps.js';
import { errors, json, jsonBody, router, secured } from '../env.js';
import { ApprovalRules, SavedApprovalRules } from '../../../contract/schemas.js';

const get = createRoute({ method: 'get', path: '/approval-rules', security: secured, summary: 'Get the approval rules', responses: { 200: json(ApprovalRules), 401: errors[401], 403: errors[403] } });
const put = createRoute({ method: 'put', path: '/approval-rules', security: secured, summary: 'Replace the approval rules', request: jsonBody(ApprovalRules), responses: { 200: json(SavedApprovalRules, 'The rules saved, and warnings about names in them that no database has'), 400: errors[400], 401: errors[401], 403: errors[403] } });

export const ruleRoutes = (deps: Deps) =>
  router()
    .openapi(get, async (c) => c.json(await readApprovalRules(deps, c.get('actor')), 200))
    .openapi(put, async (c) => c.json(await replaceApprovalRules(deps, c.get('actor'), c.req.valid('json')), 200));
