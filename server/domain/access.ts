// Who holds which role where: standing project roles from the configuration plus time-boxed
// role bindings from approved role requests (valid only until their expireTime).
import type { ProjectConfig, ProjectRole } from '../config/schema.js';
import type { State } from '../store/config-store.js';
import type { LedgerReads } from '../store/ledger.js';
import type { Actor } from './deps.js';
import { notFound } from './errors.js';

export interface HeldRole {
  role: ProjectRole;
  /** Absent for a standing role. */
  expireTime?: number;
  /** Databases a binding is limited to; absent means every database of the project. */
  databases?: string[];
  /** The time-boxed binding this role comes from; absent for a standing role. */
  bindingId?: string;
}

/** Whose roles: a user id, or an actor whose identity-provider groups add standing roles. */
type Holder = string | Pick<Actor, 'id' | 'groupRoles'>;

export async function rolesIn(ledger: LedgerReads, state: State, holder: Holder, project: string, now: number): Promise<HeldRole[]> {
  const user = typeof holder === 'string' ? holder : holder.id;
  const fromGroups = typeof holder === 'string' ? [] : (holder.groupRoles ?? []).filter((g) => g.project === project).map((g) => g.role);
  const configured = state.projects.find((p) => p.id === project)?.members.find((m) => m.user === user)?.roles ?? [];
  const standing = [...new Set([...configured, ...fromGroups])];
  const bindings = await ledger.listBindings({ user, project, activeAt: now });
  return [
    ...standing.map((role) => ({ role })),
    ...bindings.map((b) => ({ role: b.role, expireTime: b.expireTime, databases: b.databases, bindingId: b.id })),
  ];
}

export function findProject(state: State, id: string): ProjectConfig {
  const project = state.projects.find((p) => p.id === id);
  if (!project) throw notFound(`Project "${id}" does not exist`);
  return project;
}
