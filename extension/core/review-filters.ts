// The Access Grants review as data: who may review which projects, the filters as the service's
// query strings, and every grant and role binding of a project as one list of plain rows.
import { parseDuration } from '../../contract/duration.js';
import type { ProjectGrantsQuery, RoleBindingsQuery } from './api-client.js';
import type { Me, Project, ReviewedGrant, RoleBinding } from './api-types.js';
import { REVIEW_STATES, type ReviewFilters, type ReviewRow, type ReviewState } from '../../webview/protocol.js';
import { badges, grantName } from './grant-labels.js';
import { formatTimeLeft } from './time-left.js';

const WORKSPACE_REVIEWERS: ReadonlySet<string> = new Set(['workspaceDBA', 'workspaceAdmin']);

/** The projects whose grants `me` may review: all for a workspace DBA or admin, else those they own. */
export function reviewableProjects(me: Me | undefined, projects: readonly Project[]): Project[] {
  if (!me) return [];
  if (WORKSPACE_REVIEWERS.has(me.workspaceRole)) return [...projects];
  const owned = new Set(me.projects.filter((p) => p.roles.some((r) => r.role === 'projectOwner')).map((p) => p.id));
  return projects.filter((p) => owned.has(p.id));
}

/** Filters as typed in the page: trimmed, blanks dropped, a clear message for what cannot be used. */
export function readFilters(input: Record<string, unknown>): { filters: ReviewFilters } | { error: string } {
  const text = (key: string) => (typeof input[key] === 'string' ? (input[key] as string).trim() : '') || undefined;
  const state = text('state');
  if (state !== undefined && !(REVIEW_STATES as readonly string[]).includes(state)) return { error: `Unknown state "${state}": use ${REVIEW_STATES.join(', ')}.` };
  const expiringWithin = text('expiringWithin');
  if (expiringWithin !== undefined && !((parseDuration(expiringWithin) ?? 0) > 0)) return { error: `"Expiring within" takes a number and a unit, like 30m, 2h or 3d (not "${expiringWithin}").` };
  return { filters: { state: state as ReviewState | undefined, user: text('user'), database: text('database'), expiringWithin } };
}

/** `GET /projects/{p}/grants` query: the service filters grants itself. */
export function grantQuery(filters: ReviewFilters): ProjectGrantsQuery {
  const { state, user, database, expiringWithin } = filters;
  return { state, user, database, expiringWithin };
}

/**
 * `GET /projects/{p}/role-bindings` query, or undefined when no binding can match (a PENDING
 * filter). The service filters bindings by state and user; database and expiry are applied by
 * bindingMatches.
 */
export function bindingQuery(filters: ReviewFilters): RoleBindingsQuery | undefined {
  if (filters.state === 'PENDING') return undefined;
  return { state: filters.expiringWithin ? 'ACTIVE' : filters.state, user: filters.user };
}

export function bindingMatches(binding: RoleBinding, filters: ReviewFilters, now: number): boolean {
  // A binding without databases holds for the whole project, so for every database in it.
  if (filters.database && binding.databases?.length && !binding.databases.includes(filters.database)) return false;
  if (filters.expiringWithin) {
    const within = parseDuration(filters.expiringWithin) ?? 0;
    if (binding.state !== 'ACTIVE' || Date.parse(binding.expireTime) - now > within) return false;
  }
  return true;
}

export function reviewRows(grants: readonly ReviewedGrant[], bindings: readonly RoleBinding[], now: number): ReviewRow[] {
  const rows = [
    ...grants.map((g) => ({ row: grantRow(g, now), expireTime: g.expireTime, createTime: g.createTime })),
    ...bindings.map((b) => ({ row: bindingRow(b, now), expireTime: b.expireTime, createTime: b.createTime })),
  ];
  const active = (r: (typeof rows)[number]) => r.row.state === 'ACTIVE';
  // Active access first, soonest to end on top: that is what a reviewer may need to cut short.
  return rows
    .sort((a, b) => Number(active(b)) - Number(active(a)) || (active(a) ? Date.parse(a.expireTime ?? '') - Date.parse(b.expireTime ?? '') : Date.parse(b.createTime) - Date.parse(a.createTime)))
    .map((r) => r.row);
}

function grantRow(grant: ReviewedGrant, now: number): ReviewRow {
  return {
    kind: 'grant',
    id: grant.id,
    name: grantName(grant),
    requester: grant.requester,
    databases: grant.databases,
    what: grant.statement,
    badges: badges(grant),
    state: grant.state,
    approvers: approverText(grant.approvers),
    expiry: expiryText(grant, now),
    usage: usageText(grant.usage, now),
    revocable: grant.state === 'ACTIVE',
  };
}

function bindingRow(binding: RoleBinding, now: number): ReviewRow {
  return {
    kind: 'role',
    id: binding.id,
    name: `role ${binding.role}`,
    requester: binding.user,
    databases: binding.databases ?? [],
    what: binding.role,
    badges: [],
    state: binding.state,
    approvers: approverText(binding.approvers),
    expiry: expiryText(binding, now),
    usage: 'not tracked for roles',
    revocable: binding.state === 'ACTIVE',
  };
}

function approverText(approvers: readonly string[] | undefined): string {
  if (!approvers) return 'unknown';
  return approvers.length > 0 ? approvers.join(', ') : 'nobody (auto-approved)';
}

function expiryText(access: { state: string; expireTime?: string; revokeTime?: string; revokedBy?: string }, now: number): string {
  if (access.state === 'REVOKED') return `revoked${access.revokedBy ? ` by ${access.revokedBy}` : ''}${access.revokeTime ? ` ${ago(access.revokeTime, now)}` : ''}`;
  if (!access.expireTime) return 'not active yet';
  if (access.state === 'ACTIVE') return formatTimeLeft(access.expireTime, now);
  return access.state === 'EXPIRED' ? `expired ${ago(access.expireTime, now)}` : access.state.toLowerCase();
}

function usageText(usage: ReviewedGrant['usage'], now: number): string {
  if (!usage) return 'unknown';
  if (usage.runs === 0 && usage.exports === 0) return 'never used';
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  return [count(usage.runs, 'run'), count(usage.exports, 'export'), usage.lastUsedTime ? `last used ${ago(usage.lastUsedTime, now)}` : ''].filter(Boolean).join(' · ');
}

/** "just now", "5m ago", "3h ago", "2d ago" */
export function ago(time: string, now: number): string {
  const minutes = Math.floor((now - Date.parse(time)) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes}m ago`;
  if (minutes < 24 * 60) return `${Math.floor(minutes / 60)}h ago`;
  return `${Math.floor(minutes / (24 * 60))}d ago`;
}
