// The service's objects as the extension receives them: the wire contract's types, inferred
// from the schemas the service validates with, so a change there fails the extension's
// type-check instead of surprising a user. Type-only imports: nothing of the service is bundled.
import type { AccessPayload, AccessRequest, RolePayload, Wire } from '../../contract/index.js';

export type { AccessRequest, AccessRequestBody, ApprovalStep, GrantState, QueryResult, RequestContext, ResultColumn } from '../../contract/index.js';

export type Grant = Wire['Grant'];
export type ReviewedGrant = Wire['ReviewedGrant'];
export type RoleBinding = Wire['RoleBinding'];
export type Me = Wire['Me'];
export type Project = Wire['Project'];
export type WorkspaceSettings = Wire['WorkspaceSettings'];

export { EXPORT_FORMATS, type ExportFormat } from '../../contract/vocabulary.js';

export function isAccessPayload(request: AccessRequest): request is AccessRequest & { payload: AccessPayload } {
  return request.type === 'ACCESS_GRANT';
}

export function rolePayload(request: AccessRequest): RolePayload | undefined {
  return request.type === 'ROLE_GRANT' ? (request.payload as RolePayload) : undefined;
}
