// Where the signed-in user may query directly with a project role (Run with role, Run Query),
// and which of their roles they may give back early (Revoke Role). Read from GET /me.
import type { AccessSnapshot } from './access-state.js';
import { formatTimeLeft } from './time-left.js';

// The service's rule (server/domain/data-access.ts QUERY_ROLES / EXPORT_ROLES): the service
// decides, these only keep the editor from offering a run it would refuse.
const QUERY_ROLES: readonly string[] = ['sqlEditorUser', 'projectExporter', 'projectOwner'];
const EXPORT_ROLES: readonly string[] = ['projectExporter'];

/** One database the user may query with a role. */
export interface RoleTarget {
  project: string;
  database: string;
  /** The role a query runs with, as the lens names it: "sqlEditorUser". */
  role: string;
  /** Another role held on the database allows export (and the workspace allows direct export). */
  canExport: boolean;
}

type RoleSource = Pick<AccessSnapshot, 'me' | 'projects' | 'settings'>;

/** Every database some unexpired role of the user allows querying, in project then database order. */
export function roleTargets(snapshot: RoleSource, now: number): RoleTarget[] {
  const exportAllowed = snapshot.settings?.enableDataExport ?? false;
  return (snapshot.me?.projects ?? []).flatMap((held) => {
    const all = snapshot.projects.find((p) => p.id === held.id)?.databases.map((d) => d.name) ?? [];
    const live = held.roles.filter((r) => !r.expireTime || Date.parse(r.expireTime) > now);
    const on = (database: string, allowed: readonly string[]) =>
      live.find((r) => allowed.includes(r.role) && (!r.databases || r.databases.includes(database)));
    return all.flatMap((database) => {
      const querying = on(database, QUERY_ROLES);
      if (!querying) return [];
      return [{ project: held.id, database, role: querying.role, canExport: exportAllowed && Boolean(on(database, EXPORT_ROLES)) }];
    });
  });
}

/** How a choice is remembered per file. */
export function targetKey(target: Pick<RoleTarget, 'project' | 'database'>): string {
  return `${target.project}/${target.database}`;
}

/**
 * The target to run on without asking: the one remembered for the file while it is still
 * held, else the only one. Undefined means ask.
 */
export function chosenTarget(targets: readonly RoleTarget[], remembered: string | undefined): RoleTarget | undefined {
  const kept = targets.find((t) => targetKey(t) === remembered);
  if (kept) return kept;
  return targets.length === 1 ? targets[0] : undefined;
}

/** The lens above a statement: what it will run with, or that it will ask. */
export function roleLensTitle(targets: readonly RoleTarget[], remembered: string | undefined): string {
  const target = chosenTarget(targets, remembered);
  return target ? `Run with role ${target.role} on ${target.database}` : 'Run with role…';
}

/** A time-boxed role binding the user holds and may revoke. */
export interface RevocableRole {
  bindingId: string;
  project: string;
  role: string;
  databases?: string[];
  expireTime?: string;
}

export function revocableRoles(snapshot: Pick<AccessSnapshot, 'me'>, now: number): RevocableRole[] {
  return (snapshot.me?.projects ?? []).flatMap((p) =>
    p.roles
      .filter((r) => r.bindingId && (!r.expireTime || Date.parse(r.expireTime) > now))
      .map((r) => ({ bindingId: r.bindingId!, project: p.id, role: r.role, databases: r.databases, expireTime: r.expireTime })),
  );
}

/** "role sqlEditorUser in shop on demo/hr_us · 1h 5m left" */
export function roleLabel(role: RevocableRole, now: number): string {
  const on = role.databases ? ` on ${role.databases.join(', ')}` : '';
  const left = role.expireTime ? ` · ${formatTimeLeft(role.expireTime, now)}` : '';
  return `role ${role.role} in ${role.project}${on}${left}`;
}
