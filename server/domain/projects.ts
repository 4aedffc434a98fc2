// Projects as their members and the workspace's admins and DBAs see them, and the project
// settings its owners change.
import type { ProjectConfig, ProjectSettings } from '../config/schema.js';
import type { State } from '../store/config-store.js';
import { authorizeProjectSettings, seesProject, visibleProject } from './authorization.js';
import { changeConfig } from './config-changes.js';
import type { Actor, Deps } from './deps.js';

export async function listVisibleProjects(deps: Deps, actor: Actor): Promise<{ state: State; projects: ProjectConfig[] }> {
  const state = await deps.config.read();
  const now = deps.clock.now();
  const projects = [];
  for (const p of state.projects) {
    if (await seesProject(deps.ledger, state, actor, p.id, now)) projects.push(p);
  }
  return { state, projects };
}

export async function getVisibleProject(deps: Deps, actor: Actor, id: string): Promise<{ state: State; project: ProjectConfig }> {
  const state = await deps.config.read();
  const { project } = await visibleProject(deps.ledger, state, actor, id, deps.clock.now());
  return { state, project };
}

export async function changeProjectSettings(deps: Deps, actor: Actor, id: string, patch: Partial<ProjectSettings>): Promise<ProjectSettings> {
  await authorizeProjectSettings(deps.ledger, await deps.config.read(), actor, id, deps.clock.now());
  const next = await changeConfig(deps, actor, { action: 'settings.changed', project: id, detail: { project: patch } }, (draft) => {
    const p = draft.projects.find((x) => x.id === id)!;
    p.settings = { ...p.settings, ...patch };
  });
  return next.projects.find((x) => x.id === id)!.settings;
}
