// Short, stable names for grants and requests as users see them in lenses, the tree and
// messages ("grant #a1b2c3", "request #42").
import { rolePayload, type AccessRequest, type Grant } from './api-types.js';

/** Ids may be long (UUIDs); a short prefix is enough to tell a user's grants apart. */
export function shortId(id: string): string {
  const bare = id.replace(/^(grant|grt|req|request)[-_]/i, '');
  return bare.length <= 8 ? bare : bare.replace(/-/g, '').slice(0, 6);
}

export function grantName(grant: Pick<Grant, 'id'>): string {
  return `grant #${shortId(grant.id)}`;
}

export function requestName(request: Pick<AccessRequest, 'id'>): string {
  return `request #${shortId(request.id)}`;
}

export function badges(flags: { export?: boolean; unmask?: boolean }): string[] {
  return [flags.export ? 'Export' : '', flags.unmask ? 'Unmask' : ''].filter(Boolean);
}

/** One line for a statement: collapsed blanks, cut with an ellipsis. */
export function statementPreview(statement: string, max = 60): string {
  const line = statement.replace(/\s+/g, ' ').trim();
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}

/** What the request asks for, in a few words. */
export function requestSummary(request: AccessRequest): string {
  const role = rolePayload(request);
  if (!role) return request.payload.databases.join(', ');
  return `role ${role.role} on ${role.databases.join(', ') || request.project}`;
}

/** "step 2 of 3: workspaceDBA" — the step an open request waits on. */
export function waitingStep(request: AccessRequest): string {
  const total = request.steps.length;
  if (total === 0) return 'no approval step';
  const step = request.steps[request.currentStep] ?? request.steps[total - 1];
  const index = Math.min(request.currentStep, total - 1) + 1;
  return `step ${index} of ${total}: ${step.roles.join(' or ')}`;
}

export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
