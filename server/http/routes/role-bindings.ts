import { createRoute, z } from '@hono/zod-openapi';
import type { Deps } from '../../domain/deps.js';
import { listProjectBindings, revokeBinding, type ReviewedBinding } from '../../domain/role-bindings.js';
import { bindingView } from '../../domain/wire.js';
import { errors, json, jsonBody, router, secured } from '../env.js';
import { BindingStateQuery, IdParam, ProjectParam, RevokeBody, RoleBinding } from '../../../contract/schemas.js';

const view = ({ binding, approvers }: ReviewedBinding) => ({ ...bindingView(binding), approvers });

const listOfProject = createRoute({
  method: 'get', path: '/projects/{p}/role-bindings', security: secured,
  summary: 'Review the time-boxed role bindings of a project',
  description: 'For project owners, workspace DBAs and admins. Standing roles from the configuration are not listed.',
  request: { params: ProjectParam, query: z.object({ state: BindingStateQuery.optional(), user: z.string().max(64).optional() }) },
  responses: { 200: json(z.object({ roleBindings: z.array(RoleBinding) })), ...errors },
});
const revoke = createRoute({
  method: 'post', path: '/role-bindings/{id}/revoke', security: secured,
  summary: 'Revoke an active role binding',
  description: 'By the holder, a project owner or a workspace admin. Direct queries and exports with the role stop at once, a run in flight included.',
  request: { params: IdParam, ...jsonBody(RevokeBody) },
  responses: { 200: json(RoleBinding), ...errors },
});

export const roleBindingRoutes = (deps: Deps) =>
  router()
    .openapi(listOfProject, async (c) => {
      const bindings = await listProjectBindings(deps, c.get('actor'), c.req.valid('param').p, c.req.valid('query'));
      return c.json({ roleBindings: bindings.map(view) }, 200);
    })
    .openapi(revoke, async (c) => c.json(view(await revokeBinding(deps, c.get('actor'), c.req.valid('param').id, c.req.valid('json').reason)), 200));
