import { createRoute, z } from '@hono/zod-openapi';
import type { Deps } from '../../domain/deps.js';
import { getGrant, listOwnGrants, revokeGrant } from '../../domain/grants.js';
import { runGrant } from '../../domain/run.js';
import { grantView } from '../../domain/wire.js';
import { errors, json, jsonBody, router, secured } from '../env.js';
import { ErrorBody, Grant, GrantStateQuery, IdParam, QueryResult, RevokeBody, RunBody } from '../schemas.js';

const list = createRoute({
  method: 'get', path: '/grants', security: secured,
  request: { query: z.object({ state: GrantStateQuery.optional() }) },
  responses: { 200: json(z.object({ grants: z.array(Grant) })), 400: errors[400], 401: errors[401] },
});
const get = createRoute({ method: 'get', path: '/grants/{id}', security: secured, request: { params: IdParam }, responses: { 200: json(Grant), ...errors } });
const revoke = createRoute({ method: 'post', path: '/grants/{id}/revoke', security: secured, request: { params: IdParam, ...jsonBody(RevokeBody) }, responses: { 200: json(Grant), ...errors } });
const run = createRoute({
  method: 'post', path: '/grants/{id}/run', security: secured,
  description: 'Runs the approved statement, byte for byte, on one of the grant\'s databases. Takes no SQL.',
  request: { params: IdParam, ...jsonBody(RunBody) },
  responses: { 200: json(QueryResult), ...errors, 503: json(ErrorBody, 'Database unavailable'), 504: json(ErrorBody, 'Statement timed out') },
});

export const grantRoutes = (deps: Deps) =>
  router()
    .openapi(list, async (c) => c.json({ grants: (await listOwnGrants(deps, c.get('actor'), c.req.valid('query').state)).map(grantView) }, 200))
    .openapi(get, async (c) => c.json(grantView(await getGrant(deps, c.get('actor'), c.req.valid('param').id)), 200))
    .openapi(revoke, async (c) => c.json(grantView(await revokeGrant(deps, c.get('actor'), c.req.valid('param').id, c.req.valid('json').reason)), 200))
    .openapi(run, async (c) => {
      const result = await runGrant(deps, c.get('actor'), c.req.valid('param').id, c.req.valid('json').database, c.req.raw.signal);
      return c.json(result, 200);
    });
