import { createRoute, z } from '@hono/zod-openapi';
import type { Deps } from '../../domain/deps.js';
import { listProjectGrants } from '../../domain/grants.js';
import { changeProjectSettings, getVisibleProject, listVisibleProjects } from '../../domain/projects.js';
import { createAccessRequest, createRoleRequest } from '../../domain/requests.js';
import { grantView, requestWithContext } from '../../domain/wire.js';
import type { ProjectConfig } from '../../config/schema.js';
import type { State } from '../../store/config-store.js';
import { errors, json, jsonBody, router, secured } from '../env.js';
import { AccessRequestBody, Duration, Grant, GrantStateQuery, Project, ProjectParam, ProjectSettings, ProjectSettingsPatch, Request, ReviewedGrant, RoleRequestBody } from '../../../contract/schemas.js';

function projectView(state: State, p: ProjectConfig) {
  const names = new Set(p.databases.map((d) => d.name));
  return {
    id: p.id,
    name: p.name,
    settings: p.settings,
    databases: p.databases.map((d) => ({ ...d, engine: state.instances.find((i) => i.id === d.name.split('/')[0])?.engine ?? 'unknown' })),
    maskedColumns: state.masking.filter((m) => names.has(m.database)),
  };
}

const listProjects = createRoute({ method: 'get', path: '/projects', security: secured, summary: 'List the projects you can see', responses: { 200: json(z.object({ projects: z.array(Project) })), 401: errors[401] } });
const getProject = createRoute({ method: 'get', path: '/projects/{p}', security: secured, summary: 'Get a project with its settings and databases', request: { params: ProjectParam }, responses: { 200: json(Project), 401: errors[401], 403: errors[403], 404: errors[404] } });
const patchProjectSettings = createRoute({
  method: 'patch', path: '/projects/{p}/settings', security: secured,
  summary: 'Change a project\'s settings',
  request: { params: ProjectParam, ...jsonBody(ProjectSettingsPatch) },
  responses: { 200: json(ProjectSettings), ...errors },
});
const postAccessRequest = createRoute({
  method: 'post', path: '/projects/{p}/access-requests', security: secured,
  summary: 'Request time-boxed access for one statement',
  description:
    'Routed through the approval rules on the tables each chosen database\'s engine resolves the statement to (see docs/concepts.md, "What a statement reads"). ' +
    'A name that is no table or view of a chosen database is refused with 400 and details.table, details.line, details.column; a statement whose reads the engine ' +
    'cannot tell (a function reading a table named in text) with 400; a database that cannot answer with 503.',
  request: { params: ProjectParam, ...jsonBody(AccessRequestBody) },
  responses: { 201: json(z.object({ request: Request, grant: Grant }), 'Created'), ...errors },
});
const postRoleRequest = createRoute({
  method: 'post', path: '/projects/{p}/role-requests', security: secured,
  summary: 'Request a time-boxed project role',
  request: { params: ProjectParam, ...jsonBody(RoleRequestBody) },
  responses: { 201: json(z.object({ request: Request }), 'Created'), ...errors },
});
const listGrantsOfProject = createRoute({
  method: 'get', path: '/projects/{p}/grants', security: secured,
  summary: 'Review every grant of a project',
  description: 'For project owners, workspace DBAs and admins: every grant with its approvers and its use (from the audit log).',
  request: {
    params: ProjectParam,
    query: z.object({
      state: GrantStateQuery.optional(),
      user: z.string().max(64).optional(),
      database: z.string().max(200).optional().openapi({ description: 'Only grants that cover this database' }),
      expiringWithin: Duration.optional().openapi({ description: 'Only ACTIVE grants expiring within this duration from now' }),
    }),
  },
  responses: { 200: json(z.object({ grants: z.array(ReviewedGrant) })), ...errors },
});

export const projectRoutes = (deps: Deps) =>
  router()
    .openapi(listProjects, async (c) => {
      const { state, projects } = await listVisibleProjects(deps, c.get('actor'));
      return c.json({ projects: projects.map((p) => projectView(state, p)) }, 200);
    })
    .openapi(getProject, async (c) => {
      const { state, project } = await getVisibleProject(deps, c.get('actor'), c.req.valid('param').p);
      return c.json(projectView(state, project), 200);
    })
    .openapi(patchProjectSettings, async (c) => c.json(await changeProjectSettings(deps, c.get('actor'), c.req.valid('param').p, c.req.valid('json')), 200))
    .openapi(postAccessRequest, async (c) => {
      const { request, grant } = await createAccessRequest(deps, c.get('actor'), c.req.valid('param').p, c.req.valid('json'));
      return c.json({ request: requestWithContext(request, await deps.config.read()), grant: grantView(grant) }, 201);
    })
    .openapi(postRoleRequest, async (c) => {
      const { request } = await createRoleRequest(deps, c.get('actor'), c.req.valid('param').p, c.req.valid('json'));
      return c.json({ request: requestWithContext(request, await deps.config.read()) }, 201);
    })
    .openapi(listGrantsOfProject, async (c) => {
      const grants = await listProjectGrants(deps, c.get('actor'), c.req.valid('param').p, c.req.valid('query'));
      return c.json({ grants: grants.map(({ grant, usage, approvers }) => ({ ...grantView(grant), usage, approvers })) }, 200);
    });
