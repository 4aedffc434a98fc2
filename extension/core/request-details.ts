// A request as the Request view and the form's confirmation show it: plain strings, computed
// once on the host so both pages and tests read the same words.
import { isAccessPayload, rolePayload, type AccessRequest, type ApprovalStep, type RequestContext } from './api-types.js';
import type { ApproverContext, RequestDetails, StepLine } from '../../webview/protocol.js';
import { capitalize, requestName, waitingStep } from './grant-labels.js';

export function requestDetails(request: AccessRequest): RequestDetails {
  const access = isAccessPayload(request) ? request.payload : undefined;
  const role = rolePayload(request);
  return {
    id: request.id,
    title: capitalize(requestName(request)),
    status: request.status,
    statusLine: request.status === 'OPEN' ? `OPEN — waiting on ${waitingStep(request)}` : request.status,
    creator: request.creator,
    project: request.project,
    kind: access ? 'access' : 'role',
    role: role?.role,
    statement: access?.statement,
    databases: request.payload.databases,
    tables: access?.tables ?? [],
    export: access?.export ?? false,
    unmask: access?.unmask ?? false,
    duration: request.payload.duration,
    reason: request.payload.reason,
    steps: request.steps.map((s, i) => stepLine(s, i, request)),
    createTime: request.createTime,
    expireTime: request.expireTime,
    context: approverContext(request.context),
  };
}

function approverContext(context: RequestContext): ApproverContext {
  return {
    databases: context.databases,
    rule: `${context.rule.title} (${context.rule.source})`,
    tablesRead: context.tablesRead.map((t) => `${t.database}: ${t.table}`),
    revealsMaskedColumns: context.revealsMaskedColumns.map((c) => `${c.database}: ${c.table}.${c.column}`),
  };
}

function stepLine(step: ApprovalStep, index: number, request: AccessRequest): StepLine {
  const label = `Step ${index + 1}: ${step.roles.join(' or ')}`;
  const by = step.approver ? ` by ${step.approver}` : '';
  const comment = step.comment ? ` — ${step.comment}` : '';
  if (step.decision) return { label, state: `${step.decision.toLowerCase()}${by}${comment}` };
  if (request.status === 'OPEN' && index === request.currentStep) return { label, state: 'waiting' };
  return { label, state: 'not reached' };
}
