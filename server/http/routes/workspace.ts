import { createRoute } from '@hono/zod-openapi';
import type { Deps } from '../../domain/deps.js';
import { changeWorkspaceSettings } from '../../domain/workspace-settings.js';
import { errors, json, jsonBody, router, secured } from '../env.js';
import { WorkspaceSettings, WorkspaceSettingsPatch } from '../../../contract/schemas.js';

const getSettings = createRoute({ method: 'get', path: '/workspace/settings', security: secured, summary: 'Get the workspace settings', responses: { 200: json(WorkspaceSettings), 401: errors[401] } });
const patchSettings = createRoute({
  method: 'patch', path: '/workspace/settings', security: secured,
  summary: 'Change the workspace settings',
  request: jsonBody(WorkspaceSettingsPatch),
  responses: { 200: json(WorkspaceSettings), 400: errors[400], 401: errors[401], 403: errors[403] },
});

export const workspaceRoutes = (deps: Deps) =>
  router()
    .openapi(getSettings, async (c) => c.json((await deps.config.read()).workspace, 200))
    .openapi(patchSettings, async (c) => c.json(await changeWorkspaceSettings(deps, c.get('actor'), c.req.valid('json')), 200));
