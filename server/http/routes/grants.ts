import { createRoute, z } from '@hono/zod-openapi';
import type { Deps } from '../../domain/deps.js';
import { getGrant, listOwnGrants, revokeGrant } from '../../domain/grants.js';
import { exportGrant, runGrant } from '../../domain/data-access.js';
import { EXPORT_FORMATS } from '../../export/formats.js';
import { exportResponse } from '../export-response.js';
import { runResponse } from '../run-response.js';
import { grantView } from '../../domain/wire.js';
import { engineErrors, errors, json, jsonBody, router, secured } from '../env.js';
import { Grant, GrantStateQuery, IdParam, QueryResult, RevokeBody, RunBody } from '../../../contract/schemas.js';

const list = createRoute({
  method: 'get', path: '/grants', security: secured,
  summary: 'List your own grants',
  request: { query: z.object({ state: GrantStateQuery.optional() }) },
  responses: { 200: json(z.object({ grants: z.array(Grant) })), 400: errors[400], 401: errors[401] },
});
const get = createRoute({ method: 'get', path: '/grants/{id}', security: secured, summary: 'Get a grant', request: { params: IdParam }, responses: { 200: json(Grant), ...errors } });
const revoke = createRoute({ method: 'post', path: '/grants/{id}/revoke', security: secured, summary: 'Revoke an active grant', request: { params: IdParam, ...jsonBody(RevokeBody) }, responses: { 200: json(Grant), ...errors } });
const run = createRoute({
  method: 'post', path: '/grants/{id}/run', security: secured,
  summary: 'Run a grant\'s approved statement',
  description: 'Runs the approved statement, byte for byte, on one of the grant\'s databases. Takes no SQL.',
  request: { params: IdParam, ...jsonBody(RunBody) },
  responses: { 200: json(QueryResult), ...errors, ...engineErrors },
});

const exportRoute = createRoute({
  method: 'get', path: '/grants/{id}/export', security: secured,
  summary: 'Export a grant\'s result as a file',
  description: 'Streams the approved statement\'s result as a file (masking applies), up to maxExportRows rows. Needs a grant with export.',
  request: { params: IdParam, query: z.object({ format: z.enum(EXPORT_FORMATS).default('csv'), database: z.string().max(200).optional() }) },
  responses: { 200: { description: 'The file, streamed, with Content-Disposition' }, ...errors, ...engineErrors },
});

export const grantRoutes = (deps: Deps) =>
  router()
    .openapi(list, async (c) => c.json({ grants: (await listOwnGrants(deps, c.get('actor'), c.req.valid('query').state)).map(grantView) }, 200))
    .openapi(get, async (c) => c.json(grantView(await getGrant(deps, c.get('actor'), c.req.valid('param').id)), 200))
    .openapi(revoke, async (c) => c.json(grantView(await revokeGrant(deps, c.get('actor'), c.req.valid('param').id, c.req.valid('json').reason)), 200))
    .openapi(run, async (c) => {
      return runResponse(c, await runGrant(deps, c.get('actor'), c.req.valid('param').id, c.req.valid('json').database, c.req.raw.signal));
    })
    .openapi(exportRoute, async (c) => {
      const q = c.req.valid('query');
      return exportResponse(await exportGrant(deps, c.get('actor'), c.req.valid('param').id, q.database, q.format, c.req.raw.signal));
    });
