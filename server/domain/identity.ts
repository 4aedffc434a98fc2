// Who a verified identity-provider token speaks for: the configured user of that username, if
// any, with the roles the token's groups add through auth.oidc.groupRoles. Someone neither
// configured nor in a mapped group has no access at all.
import type { OidcConfig } from '../config/oidc-schema.js';
import type { ProjectRole, WorkspaceRole } from '../config/schema.js';
import type { State } from '../store/config-store.js';
import type { Actor } from './deps.js';
import { denied, DomainError } from './errors.js';

/** Lowest first: a user holds the highest of its configured and group-mapped workspace roles. */
const WORKSPACE_RANK: WorkspaceRole[] = ['workspaceMember', 'workspaceDBA', 'workspaceAdmin'];

// Usernames end up in audit lines and ledger rows: printable, bounded.
const USERNAME = /^[\x21-\x7e\u00a0-\uffff][\x20-\x7e\u00a0-\uffff]{0,255}$/;

type Claims = Record<string, unknown>;

function username(claims: Claims, claim: string | undefined): string {
  const [name, value] = claim ? [claim, claims[claim]] : ['preferred_username', claims.preferred_username ?? claims.sub];
  if (typeof value !== 'string' || !USERNAME.test(value)) {
    throw new DomainError('UNAUTHENTICATED', `The token carries no usable username in "${name}"; ask an admin to check auth.oidc.usernameClaim`);
  }
  return value;
}

function groups(claims: Claims, claim: string): string[] {
  const value = claims[claim];
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((g): g is string => typeof g === 'string') : [];
}

export type OidcMapping = Pick<OidcConfig, 'usernameClaim' | 'groupsClaim' | 'groupRoles'>;

export function actorFromClaims(state: Readonly<State>, oidc: OidcMapping, claims: Claims): Actor {
  const id = username(claims, oidc.usernameClaim);
  const configured = state.users.find((u) => u.id === id);
  const mapped = groups(claims, oidc.groupsClaim).flatMap((g) => (Object.hasOwn(oidc.groupRoles, g) ? [oidc.groupRoles[g]] : []));
  if (!configured && mapped.length === 0) {
    throw denied(`Signed in as ${id}, but ${id} has no access: ask an admin to add you or one of your groups`);
  }
  const workspaceRoles = [configured?.workspaceRole ?? 'workspaceMember', ...mapped.flatMap((m) => (m.workspaceRole ? [m.workspaceRole] : []))];
  const groupRoles = mapped.flatMap((m) => Object.entries(m.projects).flatMap(([project, roles]) => roles.map((role: ProjectRole) => ({ project, role }))));
  return {
    id,
    workspaceRole: WORKSPACE_RANK[Math.max(...workspaceRoles.map((r) => WORKSPACE_RANK.indexOf(r)))],
    groupRoles,
    profile: configured
      ? { name: configured.name, email: configured.email }
      : { name: typeof claims.name === 'string' ? claims.name.slice(0, 200) : id, email: typeof claims.email === 'string' ? claims.email.slice(0, 320) : '' },
  };
}
