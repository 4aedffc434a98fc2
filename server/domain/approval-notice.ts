// The approval.awaiting notice: what an approver's editor shows when a step awaits them, so
// it reads as one line without fetching the request.
import type { EventPayloads } from '../../contract/events.js';
import type { ApprovalRequest } from './types.js';

const SUMMARY_STATEMENT_CHARS = 60;

function oneLine(statement: string): string {
  const flat = statement.replace(/\s+/g, ' ').trim();
  return flat.length > SUMMARY_STATEMENT_CHARS ? `${flat.slice(0, SUMMARY_STATEMENT_CHARS - 1)}…` : flat;
}

export function summaryOf(request: ApprovalRequest): string {
  const on = request.payload.databases.join(', ');
  return request.type === 'ACCESS_GRANT'
    ? `${request.creator}: ${oneLine(request.payload.statement)} on ${on}`
    : `${request.creator}: role ${request.payload.role} on ${on} for ${request.payload.duration}`;
}

/** The notice for the request's current step (send it to that step's approvers). */
export function awaitingNotice(request: ApprovalRequest): { type: 'approval.awaiting'; data: EventPayloads['approval.awaiting'] } {
  return {
    type: 'approval.awaiting',
    data: { requestId: request.id, project: request.project, type: request.type, requester: request.creator, step: request.currentStep, summary: summaryOf(request) },
  };
}
