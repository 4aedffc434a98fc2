// The service's objects as the extension receives them. Grants, requests, results and
// settings are typed from the service's own wire views, so a change there fails the
// extension's type-check instead of surprising a user. Type-only imports: nothing of the
// service is bundled.
import type { WorkspaceSettings as ServiceWorkspaceSettings } from '../../server/config/schema.js';
import type { RunResult } from '../../server/domain/data-access.js';
import type { requestContext } from '../../server/domain/request-context.js';
import type { AccessPayload, RolePayload } from '../../server/domain/types.js';
import type { bindingView, grantView, requestView } from '../../server/domain/wire.js';

export type { AccessPayload, RolePayload };
export type Grant = ReturnType<typeof grantView>;
export type GrantState = Grant['state'];
export type AccessRequest = ReturnType<typeof requestView> & { context?: RequestContext };
export type ApprovalStep = AccessRequest['steps'][number];

/** How often a grant was used, from the audit: successful runs and exports. */
export interface GrantUsage {
  runs: number;
  exports: number;
  lastUsedTime?: string;
}

/** A grant as a project's reviewers list it: who approved it and how it was used. */
export type ReviewedGrant = Grant & { usage?: GrantUsage; approvers?: string[] };

/** A time-boxed role binding from Request Role, as its project's reviewers list it. */
export type RoleBinding = ReturnType<typeof bindingView> & { revokeTime?: string; revokedBy?: string; approvers?: string[] };
export type BindingState = RoleBinding['state'];

/** What an approver weighs besides the request itself: where it reads, under which rule, what it would unmask. */
export type RequestContext = ReturnType<typeof requestContext>;
export type WorkspaceSettings = ServiceWorkspaceSettings;
export type QueryResult = RunResult;
export type ResultColumn = RunResult['columns'][number];

export interface ProjectDatabase {
  name: string;
  environment?: string;
}

export interface Project {
  id: string;
  name: string;
  databases: ProjectDatabase[];
}

export interface Me {
  user: { id: string; name?: string; email?: string };
  workspaceRole: string;
  /** `bindingId` marks a time-boxed role from Request Role (the holder may revoke it); standing roles have none. */
  projects: { id: string; roles: { role: string; expireTime?: string; databases?: string[]; bindingId?: string }[] }[];
}

export interface AccessRequestBody {
  databases: string[];
  statement: string;
  export: boolean;
  unmask: boolean;
  duration: string;
  reason: string;
}

export interface RoleRequestBody {
  role: string;
  databases: string[];
  duration: string;
  reason: string;
}

export const EXPORT_FORMATS = ['csv', 'json', 'ndjson', 'sql', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export function isAccessPayload(request: AccessRequest): request is AccessRequest & { payload: AccessPayload } {
  return request.type === 'ACCESS_GRANT';
}

export function rolePayload(request: AccessRequest): RolePayload | undefined {
  return request.type === 'ROLE_GRANT' ? (request.payload as RolePayload) : undefined;
}
