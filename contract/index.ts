// The wire contract between the service, the extension and the webview: what goes over HTTP
// (requests, responses, errors) and over the event stream. The zod schemas in schemas.ts
// validate the service's side and are the one source; every type here is inferred from them.
// The extension and webview import this module with `import type` only, so neither zod nor any
// of the service is bundled with them.
import type { z } from '@hono/zod-openapi';
import type * as schemas from './schemas.js';

export type { ErrorCode } from './errors.js';
export type { DeliveredEvent, EventPayloads, EventType, TypedEvent } from './events.js';
export type * from './vocabulary.js';

export type ErrorBody = z.infer<typeof schemas.ErrorBody>;
export type Grant = z.infer<typeof schemas.Grant>;
export type ReviewedGrant = z.infer<typeof schemas.ReviewedGrant>;
export type RoleBinding = z.infer<typeof schemas.RoleBinding>;
export type AccessPayload = z.infer<typeof schemas.AccessPayload>;
export type RolePayload = z.infer<typeof schemas.RolePayload>;
export type AccessRequest = z.infer<typeof schemas.Request>;
export type ApprovalStep = AccessRequest['steps'][number];
export type RequestContext = AccessRequest['context'];
export type AccessRequestBody = z.input<typeof schemas.AccessRequestBody>;
export type RoleRequestBody = z.input<typeof schemas.RoleRequestBody>;
export type Me = z.infer<typeof schemas.Me>;
export type WorkspaceSettings = z.infer<typeof schemas.WorkspaceSettings>;
export type ProjectSettings = z.infer<typeof schemas.ProjectSettings>;
export type Project = z.infer<typeof schemas.Project>;
export type ApprovalRules = z.infer<typeof schemas.ApprovalRules>;
export type AuditEntry = z.infer<typeof schemas.AuditEntry>;
export type RunBody = z.input<typeof schemas.RunBody>;
export type QueryResult = z.infer<typeof schemas.QueryResult>;
export type ResultColumn = QueryResult['columns'][number];
