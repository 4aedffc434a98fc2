import { createRoute } from '@hono/zod-openapi';
import { changeConfig } from '../../domain/config-changes.js';
import type { Deps } from '../../domain/deps.js';
import { denied, invalid } from '../../domain/errors.js';
import { parseDuration } from '../../../contract/duration.js';
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
    .openapi(patchSettings, async (c) => {
      const actor = c.get('actor');
      if (actor.workspaceRole !== 'workspaceAdmin') throw denied('Only workspace admins can change workspace settings');
      const patch = c.req.valid('json');
      // Merged and checked inside the update, against the settings as they are then: two
      // patches at once must not undo each other (each was audited as a change).
      const state = await changeConfig(deps, actor, { action: 'settings.changed', detail: { workspace: patch } }, (draft) => {
        const merged = { ...draft.workspace, ...patch };
        if (parseDuration(merged.minGrantDuration)! > parseDuration(merged.maxGrantDuration)!) {
          throw invalid('minGrantDuration must not exceed maxGrantDuration', { field: 'minGrantDuration' });
        }
        draft.workspace = merged;
      });
      return c.json(state.workspace, 200);
    });
