import { createRoute, z } from '@hono/zod-openapi';
import { exportAsRole, queryAsRole } from '../../domain/data-access.js';
import type { Deps } from '../../domain/deps.js';
import { EXPORT_FORMATS } from '../../export/formats.js';
import { engineErrors, errors, json, jsonBody, router, secured } from '../env.js';
import { exportResponse } from '../export-response.js';
import { runResponse } from '../run-response.js';
import { ProjectParam, QueryResult } from '../../../contract/schemas.js';

const QueryBody = z.object({ database: z.string().min(1).max(200), statement: z.string().min(1).max(100_000) }).strict().openapi('QueryBody');
const ExportBody = QueryBody.extend({ format: z.enum(EXPORT_FORMATS) }).strict().openapi('ExportBody');

const query = createRoute({
  method: 'post', path: '/projects/{p}/query', security: secured,
  summary: 'Run a read-only query with a project role',
  description: 'A read-only query by a holder of sqlEditorUser, projectExporter or projectOwner on the database (standing or time-boxed). Same gate, masking and audit as a grant run.',
  request: { params: ProjectParam, ...jsonBody(QueryBody) },
  responses: { 200: json(QueryResult), ...errors, ...engineErrors },
});
const exportRoute = createRoute({
  method: 'post', path: '/projects/{p}/export', security: secured,
  summary: 'Export a query result with a project role',
  description: 'A streamed export by a holder of projectExporter. Refused for everyone when workspace.enableDataExport is false.',
  request: { params: ProjectParam, ...jsonBody(ExportBody) },
  responses: { 200: { description: 'The file, streamed, with Content-Disposition' }, ...errors, ...engineErrors },
});

export const dataRoutes = (deps: Deps) =>
  router()
    .openapi(query, async (c) => {
      const b = c.req.valid('json');
      return runResponse(c, await queryAsRole(deps, c.get('actor'), c.req.valid('param').p, b.database, b.statement, c.req.raw.signal));
    })
    .openapi(exportRoute, async (c) => {
      const b = c.req.valid('json');
      return exportResponse(await exportAsRole(deps, c.get('actor'), c.req.valid('param').p, b.database, b.statement, b.format, c.req.raw.signal));
    });
