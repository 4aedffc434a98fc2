// Who may do what: every decision of the form role × action × resource is made here, and the
// domain asks before it acts (inside its transaction when the answer depends on the ledger).
// Routes only authenticate. A refusal is PERMISSION_DENIED with a message naming who may.
import type { ProjectRole, WorkspaceRole } from '../config/schema.js';
import type { State } from '../store/config-store.js';
import type { LedgerReads } from '../store/ledger.js';
import { findProject, rolesIn, type HeldRole } from './access.js';
import type { Actor } from './deps.js';
import { denied } from './errors.js';
import type { ApprovalRequest, Grant, RoleBinding, StepRole } from './types.js';

/** Workspace-wide actions: the workspace role alone decides. */
const WORKSPACE_ACTIONS = {
  'workspace.settings.change': { roles: ['workspaceAdmin'], refusal: 'Only workspace admins can change workspace settings' },
  'approval-rules.read': { roles: ['workspaceAdmin', 'workspaceDBA'], refusal: 'Only workspace admins and DBAs can see the approval rules' },
  'approval-rules.change': { roles: ['workspaceAdmin', 'workspaceDBA'], refusal: 'Only workspace admins and DBAs can change the approval rules' },
  'audit.read': { roles: ['workspaceAdmin'], refusal: 'Only workspace admins can read the audit log' },
  'webhooks.manage': { roles: ['workspaceAdmin'], refusal: 'Only workspace admins can see and change the workspace webhooks' },
  'webhook-deliveries.manage': { roles: ['workspaceAdmin'], refusal: 'Only workspace admins can see and retry webhook deliveries' },
} satisfies Record<string, { roles: WorkspaceRole[]; refusal: string }>;

export type WorkspaceAction = keyof typeof WORKSPACE_ACTIONS;

export function authorizeWorkspace(actor: Actor, action: WorkspaceAction): void {
  const rule: { roles: WorkspaceRole[]; refusal: string } = WORKSPACE_ACTIONS[action];
  if (!rule.roles.includes(actor.workspaceRole)) throw denied(rule.refusal);
}

/** Workspace admins and DBAs see and review every project. */
const reviewsEveryProject = (actor: Actor) => actor.workspaceRole === 'workspaceAdmin' || actor.workspaceRole === 'workspaceDBA';

/**
 * Owns the whole project: a projectOwner role without a database limit. A time-boxed owner
 * binding for some databases does not extend to project-wide powers (settings, every grant).
 */
const ownsProject = (roles: HeldRole[]) => roles.some((r) => r.role === 'projectOwner' && !r.databases);

/** Whether the actor sees the project: members, and workspace admins and DBAs. */
export async function seesProject(ledger: LedgerReads, state: State, actor: Actor, project: string, now: number): Promise<boolean> {
  return reviewsEveryProject(actor) || (await rolesIn(ledger, state, actor, project, now)).length > 0;
}

/** The project, if the actor may see it, with the roles the actor holds in it. */
export async function visibleProject(ledger: LedgerReads, state: State, actor: Actor, id: string, now: number) {
  const project = findProject(state, id);
  const roles = await rolesIn(ledger, state, actor, id, now);
  if (roles.length === 0 && !reviewsEveryProject(actor)) throw denied(`You are not a member of project "${id}"`);
  return { project, roles };
}

export async function authorizeProjectSettings(ledger: LedgerReads, state: State, actor: Actor, id: string, now: number): Promise<void> {
  const { roles } = await visibleProject(ledger, state, actor, id, now);
  if (actor.workspaceRole !== 'workspaceAdmin' && !ownsProject(roles)) {
    throw denied('Only project owners and workspace admins can change project settings');
  }
}

/** Only members request access or roles in a project. */
export async function memberProject(ledger: LedgerReads, state: State, actor: Actor, id: string, now: number) {
  const { project, roles } = await visibleProject(ledger, state, actor, id, now);
  if (roles.length === 0) throw denied(`Only members of project "${id}" can request access to it`);
  return project;
}

/** Project owners, workspace admins and DBAs see every grant, role binding and request of a project. */
async function reviewsProject(ledger: LedgerReads, state: State, actor: Actor, project: string, now: number) {
  if (reviewsEveryProject(actor)) return true;
  return ownsProject(await rolesIn(ledger, state, actor, project, now));
}

/** 404 if the project does not exist; 403 saying who may review `what` if the actor does not review it. */
export async function authorizeProjectReview(ledger: LedgerReads, state: State, actor: Actor, project: string, now: number, what: string) {
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

export async function authorizeGrantView(ledger: LedgerReads, state: State, actor: Actor, grant: Grant, now: number): Promise<void> {
  if (grant.requester !== actor.id && !(await reviewsProject(ledger, state, actor, grant.project, now))) {
    throw denied('Only the holder of a grant and the project owners can see it');
  }
}

export function authorizeGrantUse(actor: Actor, grant: Grant): void {
  if (grant.requester !== actor.id) throw denied('Only the holder of a grant can use it');
}

/** Asked after the grant is known to be active, so an ended grant says so first. */
export function authorizeGrantExport(grant: Grant): void {
  if (!grant.export) throw denied(`Grant ${grant.id} does not include export; request access with Export`);
}

/** A grant or a role binding is ended early by its holder, a project owner or a workspace admin. */
export async function authorizeRevoke(
  ledger: LedgerReads,
  state: State,
  actor: Actor,
  target: { kind: 'grant'; grant: Grant } | { kind: 'role'; binding: RoleBinding },
  now: number,
): Promise<void> {
  const [holder, project] = target.kind === 'grant' ? [target.grant.requester, target.grant.project] : [target.binding.user, target.binding.project];
  if (holder === actor.id || actor.workspaceRole === 'workspaceAdmin') return;
  if (!ownsProject(await rolesIn(ledger, state, actor, project, now))) {
    throw denied(`Only the holder, the project owners and workspace admins can revoke a ${target.kind}`);
  }
}

function holdsStepRole(actor: Actor, roles: HeldRole[], step: StepRole[]): boolean {
  return step.includes(actor.workspaceRole) || roles.some((r) => step.includes(r.role));
}

/** The creator, the project's reviewers and whoever holds a role of one of its steps see a request. */
export async function authorizeRequestView(ledger: LedgerReads, state: State, actor: Actor, request: ApprovalRequest, now: number): Promise<void> {
  if (request.creator === actor.id || reviewsEveryProject(actor)) return;
  const roles = await rolesIn(ledger, state, actor, request.project, now);
  if (ownsProject(roles)) return;
  if (!request.steps.some((s) => holdsStepRole(actor, roles, s.roles))) {
    throw denied('Only the creator, its approvers and the project owners can see this request');
  }
}

export function authorizeCancel(actor: Actor, request: ApprovalRequest): void {
  if (request.creator !== actor.id) throw denied('Only the creator of a request can cancel it');
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
  const roles = (await rolesIn(ledger, state, actor, request.project, now)).filter(
    (r) => !r.databases || request.payload.databases.every((d) => r.databases!.includes(d)),
  );
  if (!holdsStepRole(actor, roles, step.roles)) {
    return `This step needs an approver with one of the roles: ${step.roles.join(', ')}`;
  }
  return undefined;
}

export async function authorizeDecision(ledger: LedgerReads, state: State, actor: Actor, request: ApprovalRequest, now: number): Promise<void> {
  const why = await cannotApprove(ledger, state, actor, request, now);
  if (why) throw denied(why);
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

/** Project roles that query or export a database directly, without a grant. */
const DIRECT_ROLES: Record<'project.query' | 'project.export', ProjectRole[]> = {
  'project.query': ['sqlEditorUser', 'projectExporter', 'projectOwner'],
  'project.export': ['projectExporter'],
};
export type DirectAction = keyof typeof DIRECT_ROLES;

/** The role (standing, or a binding in force at `now`) that lets the actor act on the database directly. */
export async function directRole(ledger: LedgerReads, state: State, actor: Actor, project: string, database: string, action: DirectAction, now: number) {
  const allowed = DIRECT_ROLES[action];
  return (await rolesIn(ledger, state, actor, project, now)).find((r) => allowed.includes(r.role) && (!r.databases || r.databases.includes(database)));
}

/** Direct export can be switched off for everyone; then only a grant with Export exports. */
export function authorizeDirect(state: State, action: DirectAction): void {
  if (action === 'project.export' && !state.workspace.enableDataExport) {
    throw denied('Direct export is disabled in this workspace; request a just-in-time grant with Export instead');
  }
}

export async function requireDirectRole(ledger: LedgerReads, state: State, actor: Actor, project: string, database: string, action: DirectAction, now: number) {
  const role = await directRole(ledger, state, actor, project, database, action, now);
  if (!role) throw denied(`Querying ${database} directly needs one of the roles ${DIRECT_ROLES[action].join(', ')}; request access instead`);
  return role;
}
