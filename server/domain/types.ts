// The ledger's records, as the API shows them (times are epoch ms here, RFC 3339 on the wire).
import type { ApprovalRule, ProjectRole } from '../config/schema.js';
import type { AccessPayload, RolePayload } from '../../contract/index.js';
import type { BindingState, GrantState, RequestStatus } from '../../contract/vocabulary.js';

export { BINDING_STATES, GRANT_STATES, REQUEST_STATUSES, type BindingState, type GrantState, type RequestStatus } from '../../contract/vocabulary.js';

export type StepRole = ApprovalRule['steps'][number][number];

export interface ApprovalStep {
  roles: StepRole[];
  approver?: string;
  decision?: 'APPROVED' | 'REJECTED';
  comment?: string;
  time?: number;
}

export type { AccessPayload, RolePayload } from '../../contract/index.js';

interface RequestBase {
  id: string;
  project: string;
  creator: string;
  status: RequestStatus;
  rule: { title: string; source: 'REQUEST_ACCESS' | 'REQUEST_ROLE'; index: number | null };
  steps: ApprovalStep[];
  /** Index into steps of the step awaiting a decision; steps.length once decided. */
  currentStep: number;
  createTime: number;
  /** While OPEN: when the request expires undecided. */
  expireTime: number;
  decideTime?: number;
}

export type AccessRequest = RequestBase & { type: 'ACCESS_GRANT'; payload: AccessPayload; grantId: string };
export type RoleRequest = RequestBase & { type: 'ROLE_GRANT'; payload: RolePayload; bindingId?: string };
export type ApprovalRequest = AccessRequest | RoleRequest;

export interface Grant {
  id: string;
  project: string;
  requester: string;
  requestId: string;
  databases: string[];
  statement: string;
  export: boolean;
  unmask: boolean;
  reason: string;
  duration: string;
  state: GrantState;
  createTime: number;
  activateTime?: number;
  expireTime?: number;
  revokeTime?: number;
  revokedBy?: string;
  /** When the grant.expiring reminder went out, so it goes out once. */
  remindTime?: number;
}

export interface RoleBinding {
  id: string;
  project: string;
  user: string;
  role: ProjectRole;
  databases: string[];
  requestId: string;
  createTime: number;
  expireTime: number;
  state: BindingState;
  revokeTime?: number;
  revokedBy?: string;
  remindTime?: number;
}
