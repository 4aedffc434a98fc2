// Request and response schemas: one source for validation, types and the OpenAPI document.
import { z } from '@hono/zod-openapi';
import { approvalRulesSchema, durationString, projectSettingsSchema, withoutDefaults, workspaceSettingsSchema } from './settings.js';
import { ERROR_CODES } from './errors.js';
import { APPROVAL_SOURCES, BINDING_STATES, GRANT_STATES, MASKING_ALGORITHMS, PROJECT_ROLES, REQUEST_STATUSES, WORKSPACE_ROLES } from './vocabulary.js';

// The settings schemas (contract/settings.ts, plain zod) may be built before @hono/zod-openapi adds .openapi() to zod's schemas;
// a clone is built after, so it has it.
export const Duration = durationString.clone().openapi({ example: '2h' });
const Time = z.string().openapi({ format: 'date-time', example: '2026-11-25T21:00:00.000Z' });
const Reason = z.string().min(1, 'must not be empty: say why you need this access').max(2000);
const DatabaseRef = z.string().min(1).max(200).openapi({ example: 'demo/hr' });

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.enum(ERROR_CODES),
      message: z.string(),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .openapi('Error');

export const IdParam = z.object({ id: z.string().min(1).max(64).openapi({ param: { name: 'id', in: 'path' }, example: '1' }) });
export const ProjectParam = z.object({ p: z.string().min(1).max(64).openapi({ param: { name: 'p', in: 'path' }, example: 'shop' }) });

export const Grant = z
  .object({
    id: z.string(),
    project: z.string(),
    requester: z.string(),
    requestId: z.string(),
    databases: z.array(z.string()),
    statement: z.string(),
    export: z.boolean(),
    unmask: z.boolean(),
    reason: z.string(),
    duration: z.string(),
    state: z.enum(GRANT_STATES),
    createTime: Time,
    activateTime: Time.optional(),
    expireTime: Time.optional(),
    revokeTime: Time.optional(),
    revokedBy: z.string().optional(),
  })
  .openapi('Grant');

const Approvers = z.array(z.string()).openapi({ description: 'Users who approved a step of its request, in step order' });

export const ReviewedGrant = Grant.extend({
  usage: z.object({
    runs: z.number().int().openapi({ description: 'Successful runs, from the audit log' }),
    exports: z.number().int().openapi({ description: 'Exports that finished, from the audit log' }),
    lastUsedTime: Time.optional(),
  }),
  approvers: Approvers,
}).openapi('ReviewedGrant');

export const RoleBinding = z
  .object({
    id: z.string(),
    project: z.string(),
    user: z.string(),
    role: z.enum(PROJECT_ROLES),
    databases: z.array(z.string()).optional(),
    requestId: z.string().optional(),
    state: z.enum(BINDING_STATES),
    createTime: Time,
    expireTime: Time,
    revokeTime: Time.optional(),
    revokedBy: z.string().optional(),
    approvers: Approvers,
  })
  .openapi('RoleBinding');

const Step = z.object({
  roles: z.array(z.string()),
  approver: z.string().optional(),
  decision: z.enum(['APPROVED', 'REJECTED']).optional(),
  comment: z.string().optional(),
  time: Time.optional(),
});

const TableRef = z.object({ database: z.string(), table: z.string() });
const RequestContext = z
  .object({
    databases: z.array(z.object({ name: z.string(), environment: z.string(), production: z.boolean().openapi({ description: 'The environment id starts with "prod"' }) })),
    rule: z.object({ title: z.string(), source: z.enum(['REQUEST_ACCESS', 'REQUEST_ROLE']) }),
    tablesRead: z.array(TableRef).openapi({ description: 'The database × table targets the request was routed on' }),
    revealsMaskedColumns: z.array(TableRef.extend({ column: z.string() })).openapi({ description: 'For Unmask: the masked columns of the tables it reads' }),
  })
  .openapi('RequestContext', { description: 'What an approver weighs: environments, the routing rule, tables read, masked columns revealed' });

export const AccessPayload = z
  .object({
    databases: z.array(z.string()),
    statement: z.string(),
    tables: z.array(z.string()),
    reads: z
      .array(z.object({ database: z.string(), tables: z.array(z.string()) }))
      .optional()
      .openapi({ description: "What the statement reads on each database, as that database's engine resolved it. Absent on requests made before it was recorded." }),
    export: z.boolean(),
    unmask: z.boolean(),
    duration: z.string(),
    reason: z.string(),
  })
  .openapi('AccessPayload');

export const RolePayload = z
  .object({ role: z.enum(PROJECT_ROLES), databases: z.array(z.string()), duration: z.string(), reason: z.string() })
  .openapi('RolePayload');

export const Request = z
  .object({
    id: z.string(),
    type: z.enum(['ACCESS_GRANT', 'ROLE_GRANT']),
    project: z.string(),
    creator: z.string(),
    status: z.enum(REQUEST_STATUSES),
    payload: z.union([AccessPayload, RolePayload]),
    grantId: z.string().optional(),
    bindingId: z.string().optional(),
    rule: z.object({ title: z.string(), source: z.enum(['REQUEST_ACCESS', 'REQUEST_ROLE']), index: z.number().int().nullable() }),
    steps: z.array(Step),
    currentStep: z.number().int(),
    createTime: Time,
    expireTime: Time,
    decideTime: Time.optional(),
    context: RequestContext,
  })
  .openapi('Request');

export const AccessRequestBody = z
  .object({
    databases: z.array(DatabaseRef).min(1).max(50),
    statement: z.string().min(1).max(100_000),
    export: z.boolean().optional(),
    unmask: z.boolean().optional(),
    duration: Duration,
    reason: Reason,
  })
  .strict()
  .openapi('AccessRequestBody');

export const RoleRequestBody = z
  .object({
    role: z.enum(PROJECT_ROLES),
    databases: z.array(DatabaseRef).min(1).max(50),
    duration: Duration,
    reason: Reason,
  })
  .strict()
  .openapi('RoleRequestBody');

export const CommentBody = z.object({ comment: z.string().max(2000).optional() }).strict();
export const RevokeBody = z.object({ reason: z.string().max(2000).optional() }).strict();

export const Me = z
  .object({
    user: z.object({ id: z.string(), name: z.string(), email: z.string() }),
    workspaceRole: z.enum(WORKSPACE_ROLES),
    projects: z.array(
      z.object({ id: z.string(), name: z.string(), roles: z.array(z.object({
          role: z.enum(PROJECT_ROLES),
          expireTime: Time.optional(),
          databases: z.array(z.string()).optional(),
          bindingId: z.string().optional().openapi({ description: 'The time-boxed role binding this role comes from (revocable); absent for a standing role' }),
        })) }),
    ),
  })
  .openapi('Me');

export const WorkspaceSettings = z.object(withoutDefaults(workspaceSettingsSchema.shape)).openapi('WorkspaceSettings');

export const WorkspaceSettingsPatch = WorkspaceSettings.partial().strict();

export const ProjectSettings = z.object(withoutDefaults(projectSettingsSchema.shape)).openapi('ProjectSettings');
export const ProjectSettingsPatch = ProjectSettings.partial().strict();

export const Project = z
  .object({
    id: z.string(),
    name: z.string(),
    settings: ProjectSettings,
    databases: z.array(z.object({ name: z.string(), environment: z.string(), engine: z.string() })),
    maskedColumns: z.array(z.object({ database: z.string(), table: z.string(), column: z.string(), algorithm: z.enum(MASKING_ALGORITHMS) })),
  })
  .openapi('Project');

export const ApprovalRules = z.object(withoutDefaults(approvalRulesSchema.shape)).strict().openapi('ApprovalRules');

export const SavedApprovalRules = ApprovalRules.extend({
  warnings: z
    .array(
      z.object({
        message: z.string(),
        field: z.string().optional().openapi({ description: 'The condition the warning is about, as "SOURCE.index.condition"' }),
        source: z.enum(APPROVAL_SOURCES).optional(),
        index: z.number().int().optional(),
        title: z.string().optional(),
      }),
    )
    .openapi({
      description:
        'Names a condition compares resource.table_name or resource.database_name with that no database of the workspace has (names are compared as the engines ' +
        'resolve them: "customers", not "CUSTOMERS", on PostgreSQL and SQLite), and databases whose tables could not be listed. The rules are saved all the same.',
    }),
}).openapi('SavedApprovalRules');

export const AuditEntry = z
  .object({
    seq: z.number().int(),
    time: Time,
    actor: z.string(),
    action: z.string(),
    project: z.string().optional(),
    requestId: z.string().optional(),
    grantId: z.string().optional(),
    bindingId: z.string().optional(),
    database: z.string().optional(),
    statement: z.string().optional(),
    rowCount: z.number().optional(),
    durationMs: z.number().optional(),
    outcome: z.string().optional(),
    clientAddress: z.string().optional(),
    userAgent: z.string().optional(),
    detail: z.record(z.string(), z.unknown()).optional(),
    prevHash: z.string(),
    hash: z.string(),
  })
  .openapi('AuditEntry');

export const GrantStateQuery = z.enum(GRANT_STATES);
export const BindingStateQuery = z.enum(BINDING_STATES);
export const RequestStatusQuery = z.enum(REQUEST_STATUSES);

export const RunBody = z.object({ database: DatabaseRef.optional() }).strict().openapi('RunBody');

export const QueryResult = z
  .object({
    columns: z.array(z.object({ name: z.string(), type: z.string(), masked: z.boolean() })),
    rows: z.array(z.array(z.union([z.string(), z.number(), z.boolean(), z.null()]))),
    rowCount: z.number().int(),
    truncated: z.boolean(),
    durationMs: z.number(),
  })
  .openapi('QueryResult');
