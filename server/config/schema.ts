// The configuration file (see CONTRACT.md), validated with zod. Unknown fields are errors:
// a typo in a security setting must not be silently ignored.
import { z } from 'zod';
import { parseDuration } from '../../contract/duration.js';
import { approvalRulesSchema, projectSettingsSchema, workspaceSettingsSchema } from '../../contract/settings.js';
import { MASKING_ALGORITHMS, PROJECT_ROLES, WORKSPACE_ROLES } from '../../contract/vocabulary.js';
import { webhookDeliverySchema, webhookSchema } from '../../contract/webhooks.js';
import { checkWebhooks } from '../notify/targets.js';
import { authSchema, checkGroupProjects } from './oidc-schema.js';

// Shared with the HTTP API (contract/): the settings, rules and durations both carry.
export * from '../../contract/settings.js';
export { APPROVAL_SOURCES, MASKING_ALGORITHMS, PROJECT_ROLES, WORKSPACE_ROLES } from '../../contract/vocabulary.js';
export type { ApprovalSource, MaskingAlgorithm, ProjectRole, WorkspaceRole } from '../../contract/vocabulary.js';

export const ENGINES = ['sqlite', 'postgres', 'mysql'] as const;

export const userSchema = z
  .object({
    id: z.string().regex(/^[a-zA-Z0-9_.-]{1,64}$/, 'must be 1-64 letters, digits, "_", "." or "-"'),
    name: z.string().min(1).max(200),
    email: z.string().email(),
    token: z.string().min(8, 'must be at least 8 characters').max(512),
    workspaceRole: z.enum(WORKSPACE_ROLES),
  })
  .strict();

export const instanceSchema = z.discriminatedUnion('engine', [
  z.object({ id: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/), engine: z.literal('sqlite'), path: z.string().min(1) }).strict(),
  z.object({ id: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/), engine: z.literal('postgres'), url: z.string().url() }).strict(),
  z.object({ id: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/), engine: z.literal('mysql'), url: z.string().url() }).strict(),
]);
export type InstanceConfig = z.infer<typeof instanceSchema>;

/** "<instance>/<database>" */
export const databaseRef = z.string().regex(/^[a-zA-Z0-9_-]{1,64}\/[a-zA-Z0-9_$-]{1,128}$/, 'must be "<instance>/<database>"');

export const memberSchema = z
  .object({
    user: z.string().min(1),
    roles: z.array(z.enum(PROJECT_ROLES)).min(1),
  })
  .strict();

export const projectSchema = z
  .object({
    id: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/),
    name: z.string().min(1).max(200),
    settings: projectSettingsSchema.default({ allowRequestRole: true, jitAccess: true }),
    members: z.array(memberSchema).default([]),
    databases: z
      .array(z.object({ name: databaseRef, environment: z.string().min(1).max(64).default('prod') }).strict())
      .default([]),
    webhooks: z.array(webhookSchema).max(50).optional(),
  })
  .strict();
export type ProjectConfig = z.infer<typeof projectSchema>;

export const maskingRuleSchema = z
  .object({
    database: databaseRef,
    table: z.string().min(1),
    column: z.string().min(1),
    algorithm: z.enum(MASKING_ALGORITHMS).default('full'),
  })
  .strict();
export type MaskingRule = z.infer<typeof maskingRuleSchema>;

/** Where the service keeps its state when not in the data dir: a PostgreSQL database that replicas share. */
export const storeUrlSchema = z.string().regex(/^postgres(ql)?:\/\/[^\s]+$/, 'must be a postgres://user:password@host:port/database URL');

export const storeSchema = z.object({ url: storeUrlSchema }).strict();

export const configObjectSchema = z
  .object({
    store: storeSchema.optional(),
    workspace: workspaceSettingsSchema.default(workspaceSettingsSchema.parse({})),
    users: z.array(userSchema).default([]),
    instances: z.array(instanceSchema).default([]),
    projects: z.array(projectSchema).default([]),
    masking: z.array(maskingRuleSchema).default([]),
    approvalRules: approvalRulesSchema.default({ REQUEST_ACCESS: [], REQUEST_ROLE: [] }),
    webhooks: z.array(webhookSchema).max(50).optional(),
    webhookDelivery: webhookDeliverySchema.default(webhookDeliverySchema.parse({})),
    /** Absent: only the users' static tokens sign in. */
    auth: authSchema.optional(),
  })
  .strict();

export const configSchema = configObjectSchema.superRefine((cfg, ctx) => {
  const ids = (xs: { id: string }[], path: string) => {
    const seen = new Set<string>();
    xs.forEach((x, i) => {
      if (seen.has(x.id)) ctx.addIssue({ code: 'custom', path: [path, i, 'id'], message: `duplicate id "${x.id}"` });
      seen.add(x.id);
    });
  };
  ids(cfg.users, 'users');
  ids(cfg.instances, 'instances');
  ids(cfg.projects, 'projects');
  const users = new Set(cfg.users.map((u) => u.id));
  const instances = new Set(cfg.instances.map((i) => i.id));
  const tokens = new Set<string>();
  cfg.users.forEach((u, i) => {
    if (tokens.has(u.token)) ctx.addIssue({ code: 'custom', path: ['users', i, 'token'], message: 'token is used by another user' });
    tokens.add(u.token);
  });
  cfg.projects.forEach((p, pi) => {
    p.members.forEach((m, mi) => {
      if (!users.has(m.user)) ctx.addIssue({ code: 'custom', path: ['projects', pi, 'members', mi, 'user'], message: `unknown user "${m.user}"` });
    });
    p.databases.forEach((d, di) => {
      if (!instances.has(d.name.split('/')[0])) {
        ctx.addIssue({ code: 'custom', path: ['projects', pi, 'databases', di, 'name'], message: `unknown instance in "${d.name}"` });
      }
    });
  });
  checkWebhooks(cfg, (path, message) => ctx.addIssue({ code: 'custom', path, message }));
  checkGroupProjects(cfg.auth, new Set(cfg.projects.map((p) => p.id)), ctx);
  const wsMin = parseDuration(cfg.workspace.minGrantDuration)!;
  const wsMax = parseDuration(cfg.workspace.maxGrantDuration)!;
  if (wsMin > wsMax) {
    ctx.addIssue({ code: 'custom', path: ['workspace', 'minGrantDuration'], message: 'must not exceed maxGrantDuration' });
  }
});
export type Config = z.infer<typeof configSchema>;
