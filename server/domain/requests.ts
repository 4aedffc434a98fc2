// Access and role requests: creation (validated, routed through the approval rules), the
// decisions on them, and cancellation. Every transition is one `change` (ledger + audit).
import type { ProjectConfig, ProjectRole } from '../config/schema.js';
import { parseDuration } from '../../contract/duration.js';
import type { EngineKind } from '../engines/engine.js';
import { routeRequest } from '../policy/approval.js';
import type { State } from '../store/config-store.js';
import type { LedgerTx } from '../store/ledger.js';
import { approversOf, authorizeCancel, authorizeDecision, authorizeRequestView, cannotApprove, memberProject } from './authorization.js';
import { awaitingNotice } from './approval-notice.js';
import { iso } from './clock.js';
import { change, type Effects } from './change.js';
import { refuseDeadEnd } from './dead-ends.js';
import { tablesRead } from './reads.js';
import type { Actor, Deps } from './deps.js';
import { invalid, notFound, precondition } from './errors.js';
import type { AccessRequest, ApprovalRequest, Grant, RoleBinding, RoleRequest } from './types.js';

export interface AccessRequestInput {
  databases: string[];
  statement: string;
  export?: boolean;
  unmask?: boolean;
  duration: string;
  reason: string;
}

export interface RoleRequestInput {
  role: ProjectRole;
  databases: string[];
  duration: string;
  reason: string;
}

function checkDuration(state: State, duration: string): number {
  const ms = parseDuration(duration)!;
  const { minGrantDuration, maxGrantDuration } = state.workspace;
  if (ms < parseDuration(minGrantDuration)! || ms > parseDuration(maxGrantDuration)!) {
    throw invalid(`duration must be between ${minGrantDuration} and ${maxGrantDuration}`, { field: 'duration' });
  }
  return ms;
}

function checkReason(reason: string): string {
  const trimmed = reason.trim();
  if (!trimmed) throw invalid('reason must not be empty: say why you need this access', { field: 'reason' });
  return trimmed;
}

interface Target {
  name: string;
  environment: string;
  instance: string;
  database: string;
  engine: EngineKind;
}

function checkDatabases(state: State, project: ProjectConfig, databases: string[]): Target[] {
  if (new Set(databases).size !== databases.length) throw invalid('a database is listed twice', { field: 'databases' });
  return databases.map((name) => {
    const db = project.databases.find((d) => d.name === name);
    if (!db) throw invalid(`database "${name}" is not a database of project "${project.id}"`, { field: 'databases' });
    const [instance, database] = name.split('/');
    const engine = state.instances.find((i) => i.id === instance)?.engine;
    if (!engine) throw invalid(`database "${name}" names an instance that does not exist`, { field: 'databases' });
    return { name, environment: db.environment, instance, database, engine };
  });
}

const resourceOf = (project: string, t: Target) => ({
  project_id: project,
  environment_id: t.environment,
  instance_id: t.instance,
  db_engine: t.engine,
  database_name: t.database,
});

async function openRequest(
  deps: Deps,
  tx: LedgerTx,
  fx: Effects,
  state: State,
  actor: Actor,
  request: ApprovalRequest,
  grant: Grant | undefined,
): Promise<void> {
  await refuseDeadEnd(tx, state, request, deps.clock.now());
  await tx.putRequest(request);
  if (grant) await tx.putGrant(grant);
  fx.audit({
    actor: actor.id, action: 'request.created', project: request.project, requestId: request.id, grantId: grant?.id,
    clientAddress: actor.clientAddress, userAgent: actor.userAgent,
    detail: { type: request.type, payload: request.payload, rule: request.rule, steps: request.steps.map((s) => s.roles) },
  });
  if (request.steps.length === 0) {
    await finalize(deps, tx, fx, actor, request, 'auto-approved by rule');
  } else {
    const approvers = await approversOf(tx, state, request, deps.clock.now());
    fx.emit([request.creator, ...approvers], {
      type: 'request.created',
      data: { requestId: request.id, project: request.project, creator: request.creator, type: request.type },
    });
    fx.emit(approvers, awaitingNotice(request));
  }
}

export async function createAccessRequest(deps: Deps, actor: Actor, projectId: string, input: AccessRequestInput) {
  const state = await deps.config.read();
  const project = await memberProject(deps.ledger, state, actor, projectId, deps.clock.now());
  if (!project.settings.jitAccess) throw precondition(`Just-in-time access is turned off for project "${projectId}"`);
  const targets = checkDatabases(state, project, input.databases);
  const durationMs = checkDuration(state, input.duration);
  const reason = checkReason(input.reason);
  // The gate refuses what it can, early and with a position; what the statement reads, and so
  // how it is routed, each database's engine says.
  for (const engine of new Set(targets.map((t) => t.engine))) await deps.analyzer.analyze(input.statement, engine, state.workspace.maxStatementLength);
  const flags = { unmask: input.unmask ?? false, export: input.export ?? false };
  const reads = await tablesRead(deps, state, input.statement, targets, flags.unmask);
  const tables = new Set([...reads.values()].flat());
  const celRequest = { unmask: flags.unmask, data_export: flags.export, expiration_seconds: BigInt(durationMs / 1000), statement: input.statement };
  const contexts = targets.flatMap((t) => {
    const read = reads.get(t.name)!;
    return (read.length ? read : ['']).map((table) => ({ request: celRequest, resource: { ...resourceOf(project.id, t), table_name: table } }));
  });
  const route = routeRequest(state.approvalRules, 'REQUEST_ACCESS', contexts);
  const now = deps.clock.now();
  return change(deps, async (tx, fx) => {
    const requestId = await tx.nextId('request');
    const grant: Grant = {
      id: await tx.nextId('grant'), project: project.id, requester: actor.id, requestId,
      databases: input.databases, statement: input.statement, export: flags.export, unmask: flags.unmask,
      reason, duration: input.duration, state: 'PENDING', createTime: now,
    };
    const request: AccessRequest = {
      id: requestId, type: 'ACCESS_GRANT', project: project.id, creator: actor.id, status: 'OPEN',
      payload: { databases: input.databases, statement: input.statement, tables: [...tables], reads: targets.map((t) => ({ database: t.name, tables: reads.get(t.name)! })), ...flags, duration: input.duration, reason },
      rule: route.rule, steps: route.steps.map((roles) => ({ roles })), currentStep: 0,
      createTime: now, expireTime: now + parseDuration(state.workspace.pendingRequestTtl)!, grantId: grant.id,
    };
    await openRequest(deps, tx, fx, state, actor, request, grant);
    return { request: (await tx.getRequest(requestId))!, grant: (await tx.getGrant(grant.id))! };
  });
}

export async function createRoleRequest(deps: Deps, actor: Actor, projectId: string, input: RoleRequestInput) {
  const state = await deps.config.read();
  const project = await memberProject(deps.ledger, state, actor, projectId, deps.clock.now());
  if (!project.settings.allowRequestRole) throw precondition(`Role requests are turned off for project "${projectId}"`);
  const targets = checkDatabases(state, project, input.databases);
  const durationMs = checkDuration(state, input.duration);
  const reason = checkReason(input.reason);
  const contexts = targets.map((t) => ({
    request: { role: input.role, expiration_seconds: BigInt(durationMs / 1000) },
    resource: resourceOf(project.id, t),
  }));
  const route = routeRequest(state.approvalRules, 'REQUEST_ROLE', contexts);
  const now = deps.clock.now();
  return change(deps, async (tx, fx) => {
    const request: RoleRequest = {
      id: await tx.nextId('request'), type: 'ROLE_GRANT', project: project.id, creator: actor.id, status: 'OPEN',
      payload: { role: input.role, databases: input.databases, duration: input.duration, reason },
      rule: route.rule, steps: route.steps.map((roles) => ({ roles })), currentStep: 0,
      createTime: now, expireTime: now + parseDuration(state.workspace.pendingRequestTtl)!,
    };
    await openRequest(deps, tx, fx, state, actor, request, undefined);
    return { request: (await tx.getRequest(request.id))! };
  });
}

/** The last step is approved: the grant becomes ACTIVE (its time starts now) or the role is bound. */
async function finalize(deps: Deps, tx: LedgerTx, fx: Effects, actor: Actor, request: ApprovalRequest, how: string, stepApprovers: string[] = []) {
  const now = deps.clock.now();
  request.status = 'APPROVED';
  request.decideTime = now;
  const base = {
    actor: actor.id, project: request.project, requestId: request.id, grantId: request.type === 'ACCESS_GRANT' ? request.grantId : undefined,
    clientAddress: actor.clientAddress, userAgent: actor.userAgent,
  };
  fx.audit({ ...base, action: 'request.approved', detail: { final: true, how } });
  fx.emit([request.creator, ...stepApprovers], { type: 'request.approved', data: { requestId: request.id, project: request.project, final: true } });
  if (request.type === 'ACCESS_GRANT') {
    const grant = (await tx.getGrant(request.grantId))!;
    grant.state = 'ACTIVE';
    grant.activateTime = now;
    grant.expireTime = now + parseDuration(grant.duration)!;
    await tx.putGrant(grant);
    fx.audit({ ...base, action: 'grant.activated', detail: { expireTime: iso(grant.expireTime), requester: grant.requester } });
    fx.emit([grant.requester], { type: 'grant.activated', data: { grantId: grant.id, requestId: request.id, expireTime: iso(grant.expireTime) } });
  } else {
    const binding: RoleBinding = {
      id: await tx.nextId('binding'), project: request.project, user: request.creator, role: request.payload.role,
      databases: request.payload.databases, requestId: request.id, createTime: now,
      expireTime: now + parseDuration(request.payload.duration)!, state: 'ACTIVE',
    };
    await tx.putBinding(binding);
    request.bindingId = binding.id;
    fx.audit({ ...base, action: 'role.activated', bindingId: binding.id, detail: { user: binding.user, role: binding.role, databases: binding.databases, expireTime: iso(binding.expireTime) } });
    fx.emit([binding.user], { type: 'role.activated', data: { bindingId: binding.id, role: binding.role, project: binding.project, expireTime: iso(binding.expireTime) } });
  }
  await tx.putRequest(request);
}

/** Marks an OPEN request whose pending time ran out as EXPIRED (and its grant with it). */
export async function expireRequest(tx: LedgerTx, fx: Effects, request: ApprovalRequest, now: number) {
  request.status = 'EXPIRED';
  request.decideTime = now;
  await tx.putRequest(request);
  fx.audit({ actor: 'system', action: 'request.expired', project: request.project, requestId: request.id, grantId: request.type === 'ACCESS_GRANT' ? request.grantId : undefined, detail: { expireTime: iso(request.expireTime) } });
  if (request.type === 'ACCESS_GRANT') {
    const grant = (await tx.getGrant(request.grantId))!;
    grant.state = 'EXPIRED';
    await tx.putGrant(grant);
  }
  fx.emit([request.creator], { type: 'request.expired', data: { requestId: request.id, project: request.project } });
}

/** Loads an OPEN request for a decision; an overdue one is expired (and committed) first. */
async function openForDecision(tx: LedgerTx, fx: Effects, id: string, now: number): Promise<ApprovalRequest | undefined> {
  const request = await tx.getRequest(id);
  if (!request) throw notFound(`Request "${id}" does not exist`);
  if (request.status === 'OPEN' && now >= request.expireTime) {
    await expireRequest(tx, fx, request, now);
    fx.failAfterCommit(precondition(`Request ${id} expired at ${iso(request.expireTime)} without a decision`));
    return undefined;
  }
  if (request.status !== 'OPEN') throw precondition(`Request ${id} is already ${request.status.toLowerCase()}`);
  return request;
}

export async function decideRequest(deps: Deps, actor: Actor, id: string, decision: 'APPROVED' | 'REJECTED', comment?: string) {
  const state = await deps.config.read();
  return change(deps, async (tx, fx) => {
    const now = deps.clock.now();
    const request = await openForDecision(tx, fx, id, now);
    if (!request) return undefined;
    await authorizeDecision(tx, state, actor, request, now);
    // Everyone who could have decided this step hears how it was decided, so their lists of
    // what awaits them stop showing it.
    const stepApprovers = (await approversOf(tx, state, request, now)).filter((u) => u !== actor.id);
    const step = request.steps[request.currentStep];
    Object.assign(step, { approver: actor.id, decision, comment, time: now });
    request.currentStep += 1;
    // 1-based number of the step just decided, for the audit log.
    const decided = request.currentStep;
    const base = {
      actor: actor.id, project: request.project, requestId: request.id, grantId: request.type === 'ACCESS_GRANT' ? request.grantId : undefined,
      clientAddress: actor.clientAddress, userAgent: actor.userAgent,
    };
    if (decision === 'REJECTED') {
      request.status = 'REJECTED';
      request.currentStep = request.steps.length;
      request.decideTime = now;
      await tx.putRequest(request);
      fx.audit({ ...base, action: 'request.rejected', detail: { step: decided, comment } });
      if (request.type === 'ACCESS_GRANT') {
        const grant = (await tx.getGrant(request.grantId))!;
        grant.state = 'REJECTED';
        await tx.putGrant(grant);
      }
      fx.emit([request.creator, ...stepApprovers], { type: 'request.rejected', data: { requestId: request.id, project: request.project, by: actor.id, comment } });
    } else if (request.currentStep >= request.steps.length) {
      fx.audit({ ...base, action: 'request.step.approved', detail: { step: decided, comment } });
      await finalize(deps, tx, fx, actor, request, `approved by ${actor.id}`, stepApprovers);
    } else {
      await tx.putRequest(request);
      fx.audit({ ...base, action: 'request.step.approved', detail: { step: decided, comment } });
      const approvers = await approversOf(tx, state, request, now);
      fx.emit([request.creator, ...stepApprovers, ...approvers], {
        type: 'request.approved',
        data: { requestId: request.id, project: request.project, final: false, nextStep: request.currentStep },
      });
      fx.emit(approvers, awaitingNotice(request));
    }
    return (await tx.getRequest(id))!;
  });
}

export async function cancelRequest(deps: Deps, actor: Actor, id: string, comment?: string) {
  return change(deps, async (tx, fx) => {
    const now = deps.clock.now();
    const existing = await tx.getRequest(id);
    if (existing) authorizeCancel(actor, existing);
    const request = await openForDecision(tx, fx, id, now);
    if (!request) return undefined;
    request.status = 'CANCELED';
    request.decideTime = now;
    await tx.putRequest(request);
    if (request.type === 'ACCESS_GRANT') {
      const grant = (await tx.getGrant(request.grantId))!;
      grant.state = 'CANCELED';
      await tx.putGrant(grant);
    }
    fx.audit({ actor: actor.id, action: 'request.canceled', project: request.project, requestId: id, grantId: request.type === 'ACCESS_GRANT' ? request.grantId : undefined, clientAddress: actor.clientAddress, userAgent: actor.userAgent, detail: { comment } });
    fx.emit([...(await approversOf(tx, await deps.config.read(), { ...request, status: 'OPEN' }, now))], {
      type: 'request.canceled',
      data: { requestId: id, project: request.project },
    });
    return request;
  });
}

export async function getRequest(deps: Deps, actor: Actor, id: string): Promise<ApprovalRequest> {
  const state = await deps.config.read();
  const request = await deps.ledger.getRequest(id);
  if (!request) throw notFound(`Request "${id}" does not exist`);
  await authorizeRequestView(deps.ledger, state, actor, request, deps.clock.now());
  return request;
}

export interface RequestQuery {
  project?: string;
  status?: ApprovalRequest['status'];
  view?: 'mine' | 'to-approve';
}

export async function listRequests(deps: Deps, actor: Actor, q: RequestQuery): Promise<ApprovalRequest[]> {
  const state = await deps.config.read();
  const now = deps.clock.now();
  const out = new Map<string, ApprovalRequest>();
  if (q.view !== 'to-approve') {
    for (const r of await deps.ledger.listRequests({ creator: actor.id, project: q.project, status: q.status })) out.set(r.id, r);
  }
  if (q.view !== 'mine' && (q.status === undefined || q.status === 'OPEN')) {
    for (const r of await deps.ledger.listRequests({ status: 'OPEN', project: q.project })) {
      if (now < r.expireTime && !(await cannotApprove(deps.ledger, state, actor, r, now))) out.set(r.id, r);
    }
  }
  return [...out.values()].sort((a, b) => Number(b.id) - Number(a.id));
}
