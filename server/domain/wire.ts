// The records as the API shows them: RFC 3339 times, internal bookkeeping left out.
import type { State } from '../store/config-store.js';
import { iso } from './clock.js';
import { requestContext } from './request-context.js';
import type { ApprovalRequest, Grant, RoleBinding } from './types.js';

const opt = (ms: number | undefined) => (ms === undefined ? undefined : iso(ms));

export function grantView(g: Grant) {
  return {
    id: g.id,
    project: g.project,
    requester: g.requester,
    requestId: g.requestId,
    databases: g.databases,
    statement: g.statement,
    export: g.export,
    unmask: g.unmask,
    reason: g.reason,
    duration: g.duration,
    state: g.state,
    createTime: iso(g.createTime),
    activateTime: opt(g.activateTime),
    expireTime: opt(g.expireTime),
    revokeTime: opt(g.revokeTime),
    revokedBy: g.revokedBy,
  };
}

export function requestView(r: ApprovalRequest) {
  return {
    id: r.id,
    type: r.type,
    project: r.project,
    creator: r.creator,
    status: r.status,
    payload: r.payload,
    grantId: r.type === 'ACCESS_GRANT' ? r.grantId : undefined,
    bindingId: r.type === 'ROLE_GRANT' ? r.bindingId : undefined,
    rule: r.rule,
    steps: r.steps.map((s) => ({ roles: s.roles, approver: s.approver, decision: s.decision, comment: s.comment, time: opt(s.time) })),
    currentStep: r.currentStep,
    createTime: iso(r.createTime),
    expireTime: iso(r.expireTime),
    decideTime: opt(r.decideTime),
  };
}

/** A request as the API returns it: with the context its approvers weigh, from the current configuration. */
export function requestWithContext(r: ApprovalRequest, state: State) {
  return { ...requestView(r), context: requestContext(state, r) };
}

export function bindingView(b: RoleBinding) {
  return {
    id: b.id, project: b.project, user: b.user, role: b.role, databases: b.databases, requestId: b.requestId, state: b.state,
    createTime: iso(b.createTime), expireTime: iso(b.expireTime), revokeTime: opt(b.revokeTime), revokedBy: b.revokedBy,
  };
}
