import { createRoute, z } from '@hono/zod-openapi';
import type { Deps } from '../../domain/deps.js';
import { cancelRequest, decideRequest, getRequest, listRequests } from '../../domain/requests.js';
import { requestWithContext } from '../../domain/wire.js';
import { errors, json, jsonBody, router, secured } from '../env.js';
import { CommentBody, IdParam, Request, RequestStatusQuery } from '../../../contract/schemas.js';

const list = createRoute({
  method: 'get', path: '/requests', security: secured,
  summary: 'List requests you created or may approve',
  request: { query: z.object({ project: z.string().max(64).optional(), status: RequestStatusQuery.optional(), view: z.enum(['mine', 'to-approve']).optional() }) },
  responses: { 200: json(z.object({ requests: z.array(Request) })), 400: errors[400], 401: errors[401] },
});
const get = createRoute({ method: 'get', path: '/requests/{id}', security: secured, summary: 'Get a request with its approval steps', request: { params: IdParam }, responses: { 200: json(Request), ...errors } });
// Generic in the path so the route keeps its literal path in AppType (hc<AppType> needs it).
const decision = <P extends string>(path: P, summary: string) =>
  createRoute({ method: 'post', path, security: secured, summary, request: { params: IdParam, ...jsonBody(CommentBody) }, responses: { 200: json(Request), ...errors } });
const approve = decision('/requests/{id}/approve', 'Approve the current step of a request');
const reject = decision('/requests/{id}/reject', 'Reject a request');
const cancel = decision('/requests/{id}/cancel', 'Cancel your own open request');

export const requestRoutes = (deps: Deps) =>
  router()
    .openapi(list, async (c) => {
      const state = await deps.config.read();
      return c.json({ requests: (await listRequests(deps, c.get('actor'), c.req.valid('query'))).map((r) => requestWithContext(r, state)) }, 200);
    })
    .openapi(get, async (c) => c.json(requestWithContext(await getRequest(deps, c.get('actor'), c.req.valid('param').id), await deps.config.read()), 200))
    .openapi(approve, async (c) => {
      const r = await decideRequest(deps, c.get('actor'), c.req.valid('param').id, 'APPROVED', c.req.valid('json').comment);
      return c.json(requestWithContext(r!, await deps.config.read()), 200);
    })
    .openapi(reject, async (c) => {
      const r = await decideRequest(deps, c.get('actor'), c.req.valid('param').id, 'REJECTED', c.req.valid('json').comment);
      return c.json(requestWithContext(r!, await deps.config.read()), 200);
    })
    .openapi(cancel, async (c) => {
      const r = await cancelRequest(deps, c.get('actor'), c.req.valid('param').id, c.req.valid('json').comment);
      return c.json(requestWithContext(r!, await deps.config.read()), 200);
    });
