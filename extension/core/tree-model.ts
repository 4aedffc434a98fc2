// The grants tree as data: sections, items, their labels, descriptions and the contextValue
// the `menus` `when` clauses key on. The VS Code adapter only maps these to TreeItems.
import type { AccessSnapshot } from './access-state.js';
import { describeError } from './api-errors.js';
import type { AccessRequest, Grant } from './api-types.js';
import { badges, capitalize, grantName, requestName, requestSummary, shortId, statementPreview, waitingStep } from './grant-labels.js';
import { formatTimeLeft } from './time-left.js';

/** contextValues; package.json `menus` match them with `viewItem` clauses. */
export const CONTEXT = {
  section: 'section',
  activeGrant: 'grant:active',
  activeExportGrant: 'grant:active:export',
  pastGrant: 'grant:past',
  myRequest: 'request:mine',
  requestToApprove: 'request:toApprove',
  message: 'message',
  detail: 'detail',
} as const;

export type NodeAction =
  | { command: 'openRequest'; requestId: string }
  | { command: 'signIn' }
  | { command: 'startService' }
  | { command: 'refresh' }
  | { command: 'requestAccess' };

export interface TreeNode {
  id: string;
  label: string;
  description?: string;
  tooltip?: string;
  contextValue: string;
  icon?: string;
  children?: TreeNode[];
  expanded?: boolean;
  grantId?: string;
  requestId?: string;
  action?: NodeAction;
}

export interface TreeInput {
  grants: readonly Grant[];
  myRequests: readonly AccessRequest[];
  toApprove: readonly AccessRequest[];
  now: number;
}

const PAST_STATES = new Set(['EXPIRED', 'REVOKED', 'REJECTED', 'CANCELED']);
const RECENT_PAST = 10;

export function buildTree(input: TreeInput): TreeNode[] {
  const active = input.grants.filter((g) => g.state === 'ACTIVE').sort(byExpiry);
  const pending = input.myRequests.filter((r) => r.status === 'OPEN');
  const toApprove = input.toApprove.filter((r) => r.status === 'OPEN');
  const past = input.grants
    .filter((g) => PAST_STATES.has(g.state))
    .sort((a, b) => endTime(b) - endTime(a))
    .slice(0, RECENT_PAST);
  return [
    section('active', 'Active', active.map((g) => activeGrantNode(g, input.now)), 'No active grants'),
    section('pending', 'Pending', pending.map(pendingRequestNode), 'No pending requests'),
    section('toApprove', 'To approve', toApprove.map(requestToApproveNode), 'Nothing to approve'),
    section('past', 'Expired & Revoked', past.map(pastGrantNode), 'No expired or revoked grants', false),
  ];
}

/** The top of the tree: the sections once loaded, else one line saying what to do. */
export function treeRoots(snapshot: AccessSnapshot, serverUrl: string, now: number): TreeNode[] {
  switch (snapshot.status) {
    case 'idle':
      return messageTree('Loading…', { command: 'refresh' });
    case 'signedOut':
      return messageTree('Sign in to Just-In-Time Access', { command: 'signIn' });
    case 'error': {
      const friendly = describeError(snapshot.error, serverUrl);
      return messageTree(friendly.message, { command: friendly.nextStep ?? 'refresh' });
    }
    default:
      return buildTree({ ...snapshot, now });
  }
}

function messageTree(label: string, action: NodeAction): TreeNode[] {
  return [{ id: 'message', label, tooltip: label, contextValue: CONTEXT.message, icon: 'info', action }];
}

function section(id: string, label: string, children: TreeNode[], emptyLabel: string, expanded = true): TreeNode {
  return {
    id: `section:${id}`,
    label,
    description: String(children.length),
    contextValue: CONTEXT.section,
    expanded,
    children: children.length > 0 ? children : [{ id: `empty:${id}`, label: emptyLabel, contextValue: CONTEXT.message }],
  };
}

// A sidebar at its default width cuts a row off after about 30 characters, so the label
// holds what tells grants apart and changes over time (id, time left or end state) and the
// description the rest (badges, databases); the tooltip has everything.
function activeGrantNode(grant: Grant, now: number): TreeNode {
  const timeLeft = grant.expireTime ? formatTimeLeft(grant.expireTime, now) : undefined;
  const databases = grant.databases.join(', ');
  return grantNode(grant, {
    label: [`#${shortId(grant.id)}`, timeLeft].filter(Boolean).join(' · '),
    description: [...badges(grant), databases].join(' · '),
    tooltip: [`${capitalize(grantName(grant))} on ${databases}`, [...badges(grant), timeLeft].filter(Boolean).join(' · '), grant.statement].filter(Boolean).join('\n'),
    contextValue: grant.export ? CONTEXT.activeExportGrant : CONTEXT.activeGrant,
    icon: 'pass',
  });
}

function pastGrantNode(grant: Grant): TreeNode {
  const ended = grant.state.toLowerCase();
  const databases = grant.databases.join(', ');
  return grantNode(grant, {
    label: `#${shortId(grant.id)} · ${ended}`,
    description: databases,
    tooltip: `${capitalize(grantName(grant))} on ${databases}, ${ended}\n${grant.statement}`,
    contextValue: CONTEXT.pastGrant,
    icon: 'circle-slash',
  });
}

function grantNode(grant: Grant, shown: Pick<TreeNode, 'label' | 'description' | 'tooltip' | 'contextValue' | 'icon'>): TreeNode {
  return { id: `grant:${grant.id}`, ...shown, grantId: grant.id, requestId: grant.requestId, expanded: false, children: grantDetails(grant) };
}

function grantDetails(grant: Grant): TreeNode[] {
  return [
    { id: `grant:${grant.id}:statement`, label: statementPreview(grant.statement), tooltip: grant.statement, contextValue: CONTEXT.detail, icon: 'code' },
    {
      id: `grant:${grant.id}:request`,
      label: `Open request #${shortId(grant.requestId)}`,
      contextValue: CONTEXT.detail,
      icon: 'link',
      requestId: grant.requestId,
      action: { command: 'openRequest', requestId: grant.requestId },
    },
  ];
}

function pendingRequestNode(request: AccessRequest): TreeNode {
  return {
    id: `request:${request.id}`,
    label: `#${shortId(request.id)} ${requestSummary(request)}`,
    description: `waiting on ${waitingStep(request)}`,
    tooltip: `Your ${requestName(request)} in ${request.project}`,
    contextValue: CONTEXT.myRequest,
    icon: 'watch',
    requestId: request.id,
    action: { command: 'openRequest', requestId: request.id },
  };
}

function requestToApproveNode(request: AccessRequest): TreeNode {
  const flags = 'export' in request.payload ? badges(request.payload) : [];
  return {
    id: `approve:${request.id}`,
    label: `#${shortId(request.id)} ${request.creator}: ${requestSummary(request)}`,
    description: [...flags, request.payload.duration].filter(Boolean).join(' · '),
    tooltip: `${capitalize(requestName(request))} from ${request.creator} waits on ${waitingStep(request)}`,
    contextValue: CONTEXT.requestToApprove,
    icon: 'person',
    requestId: request.id,
    action: { command: 'openRequest', requestId: request.id },
  };
}

function byExpiry(a: Grant, b: Grant): number {
  return Date.parse(a.expireTime ?? '9999') - Date.parse(b.expireTime ?? '9999');
}

function endTime(grant: Grant): number {
  return Date.parse(grant.revokeTime ?? grant.expireTime ?? grant.createTime) || 0;
}
