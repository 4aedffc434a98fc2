// Who holds which role where: standing project roles from the configuration plus time-boxed
// role bindings from approved role requests (valid only until their expireTime).
import type { ProjectConfig, ProjectRole } from '../config/schema.js';
import type { State } from '../store/config-store.js';
import type { LedgerReads } from '../store/ledger.js';
import type { Actor } from './deps.js';
import { denied, notFound } from './errors.js';
import type { ApprovalRequest, StepRole } from './types.js';

export interface HeldRole {
  role: ProjectRole;
  /** Absent for a standing role. */
  expireTime?: number;
  /** Databases a binding is limited to; absent means every database of the project. */
  databases?: string[];
  /** The time-boxed binding this role comes from; absent for a standing role. */
  bindingId?: string;
}

export async function rolesIn(ledger: LedgerReads, state: State, user: string, project: string, now: number): Promise<HeldRole[]> {
  const standing = state.projects.find((p) => p.id === project)?.members.find((m) => m.user === user)?.roles ?? [];
  const bindings = await ledger.listBindings({ user, project, activeAt: now });
  return [
    ...standing.map((role) => ({ role })),
    ...bindings.map((b) => ({ role: b.role, expireTime: b.expireTime, databases: b.databases, bindingId: b.id })),
  ];
}

export const isReviewer = (actor: Actor) => actor.workspaceRole === 'workspaceAdmin' || actor.workspaceRole === 'workspaceDBA';

export function findProject(state: State, id: string): ProjectConfig {
  const project = state.projects.find((p) => p.id === id);
  if (!project) throw notFound(`Project "${id}" does not exist`);
  return project;
}

/** The project, if the actor may see it: members, and workspace admins and DBAs. */
export async function visibleProject(ledger: LedgerReads, state: State, actor: Actor, id: string, now: number) {
  const project = findProject(state, id);
  const roles = await rolesIn(ledger, state, actor.id, id, now);
  if (roles.length === 0 && !isReviewer(actor)) throw denied(`You are not a member of project "${id}"`);
  return { project, roles };
}

export function holdsStepRole(actor: Actor, roles: HeldRole[], step: StepRole[]): boolean {
  return step.includes(actor.workspaceRole) || roles.some((r) => step.includes(r.role));
}

/** Why the actor may not decide the request's current step, or undefined if it may. */
export async function cannotApprove(
  ledger: LedgerReads,
  state: State,
  actor: Actor,
  request: ApprovalRequest,
  now: number,
): Promise<string | undefined> {
  if (request.creator === actor.id) return 'You cannot approve or reject your own request';
  const step = request.steps[request.currentStep];
  if (!step) return 'The request has no step awaiting a decision';
  if (request.steps.some((s, i) => i < request.currentStep && s.approver === actor.id)) {
    return 'You already approved an earlier step of this request; another approver must decide this one';
  }
  // A binding limited to some databases approves only requests within them, as it queries only them.
  const roles = (await rolesIn(ledger, state, actor.id, request.project, now)).filter(
    (r) => !r.databases || request.payload.databases.every((d) => r.databases!.includes(d)),
  );
  if (!holdsStepRole(actor, roles, step.roles)) {
    return `This step needs an approver with one of the roles: ${step.roles.join(', ')}`;
  }
  return undefined;
}

/** Users who may decide the request's current step (for notifications). */
export async function approversOf(ledger: LedgerReads, state: State, request: ApprovalRequest, now: number): Promise<string[]> {
  const out: string[] = [];
  for (const user of state.users) {
    const actor: Actor = { id: user.id, workspaceRole: user.workspaceRole };
    if (!(await cannotApprove(ledger, state, actor, request, now))) out.push(user.id);
  }
  return out;
}

/**
 * Owns the whole project: a projectOwner role without a database limit. A time-boxed owner
 * binding for some databases does not extend to project-wide powers (settings, every grant).
 */
export const ownsProject = (roles: HeldRole[]) => roles.some((r) => r.role === 'projectOwner' && !r.databases);

/** Project owners, workspace admins and DBAs see every grant and request of a project. */
export async function reviewsProject(ledger: LedgerReads, state: State, actor: Actor, project: string, now: number) {
  if (isReviewer(actor)) return true;
  return ownsProject(await rolesIn(ledger, state, actor.id, project, now));
}

/** The project, if the actor reviews it; otherwise 404 or a 403 saying who may see `what`. */
export async function requireReviewer(ledger: LedgerReads, state: State, actor: Actor, project: string, now: number, what: string) {
  findProject(state, project);
  if (!(await reviewsProject(ledger, state, actor, project, now))) {
    throw denied(`Only project owners, workspace DBAs and admins can review the ${what} of a project`);
  }
}

/** Everyone who reviews the project (for notices about its grants and roles). */
export async function reviewersOf(ledger: LedgerReads, state: State, project: string, now: number): Promise<string[]> {
  const out: string[] = [];
  for (const user of state.users) {
    if (await reviewsProject(ledger, state, { id: user.id, workspaceRole: user.workspaceRole }, project, now)) out.push(user.id);
  }
  return out;
}
