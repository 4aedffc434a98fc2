// The workspace settings, changed by workspace admins.
import { parseDuration } from '../../contract/duration.js';
import type { WorkspaceSettings } from '../config/schema.js';
import { authorizeWorkspace } from './authorization.js';
import { changeConfig } from './config-changes.js';
import type { Actor, Deps } from './deps.js';
import { invalid } from './errors.js';

export async function changeWorkspaceSettings(deps: Deps, actor: Actor, patch: Partial<WorkspaceSettings>): Promise<WorkspaceSettings> {
  authorizeWorkspace(actor, 'workspace.settings.change');
  // Merged and checked inside the update, against the settings as they are then: two
  // patches at once must not undo each other (each was audited as a change).
  const state = await changeConfig(deps, actor, { action: 'settings.changed', detail: { workspace: patch } }, (draft) => {
    const merged = { ...draft.workspace, ...patch };
    if (parseDuration(merged.minGrantDuration)! > parseDuration(merged.maxGrantDuration)!) {
      throw invalid('minGrantDuration must not exceed maxGrantDuration', { field: 'minGrantDuration' });
    }
    draft.workspace = merged;
  });
  return state.workspace;
}
