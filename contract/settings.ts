// The settings, approval rules and durations that the configuration file and the HTTP API
// both carry: defined once here, the config reads them with their defaults and the API
// (contract/schemas.ts) with every field required, so the two cannot drift apart.
import { z } from 'zod';
import { DURATION_PATTERN } from './duration.js';
import { PROJECT_ROLES, WORKSPACE_ROLES } from './vocabulary.js';

export const durationString = z.string().regex(DURATION_PATTERN, 'must be a duration like "30s", "15m", "2h" or "7d"');

type Defaulted = Record<string, z.ZodDefault<z.ZodType>>;
type Undefaulted<T extends Defaulted> = { [K in keyof T]: ReturnType<T[K]['unwrap']> };

/** The same fields with every value required: for the API, where a missing field is not a default. */
export function withoutDefaults<T extends Defaulted>(shape: T): Undefaulted<T> {
  return Object.fromEntries(Object.entries(shape).map(([key, schema]) => [key, schema.unwrap()])) as Undefaulted<T>;
}

export const workspaceSettingsSchema = z
  .object({
    enableDataExport: z.boolean().default(true),
    maxGrantDuration: durationString.default('7d'),
    minGrantDuration: durationString.default('1m'),
    pendingRequestTtl: durationString.default('24h'),
    reminderBefore: durationString.default('15m'),
    queryTimeout: durationString.default('30s'),
    maxResultRows: z.number().int().positive().max(1_000_000).default(10_000),
    /** A run's result is cut at this many bytes (as JSON, about) as well as at maxResultRows. */
    maxResultBytes: z.number().int().positive().max(1024 * 1024 * 1024).default(32 * 1024 * 1024),
    maxExportRows: z.number().int().positive().max(100_000_000).default(1_000_000),
    /** Statements running at once on one instance; more wait, admitted round-robin across users. */
    maxRunningPerInstance: z.number().int().positive().max(1000).default(4),
    /** Statements one user may have running or waiting on one instance; more are refused (429). */
    maxRunningPerUser: z.number().int().positive().max(1000).default(2),
    /** Longer statements are refused before they are read (reading costs up to seconds). */
    maxStatementLength: z.number().int().min(100).max(100_000).default(50_000),
  })
  .strict();
export type WorkspaceSettings = z.infer<typeof workspaceSettingsSchema>;

export const projectSettingsSchema = z
  .object({ allowRequestRole: z.boolean().default(true), jitAccess: z.boolean().default(true) })
  .strict();
export type ProjectSettings = z.infer<typeof projectSettingsSchema>;

export const approvalRuleSchema = z
  .object({
    title: z.string().min(1).max(200),
    condition: z.string().min(1).max(4000),
    steps: z.array(z.array(z.enum([...WORKSPACE_ROLES, ...PROJECT_ROLES])).min(1)).max(10),
  })
  .strict();
export type ApprovalRule = z.infer<typeof approvalRuleSchema>;

export const approvalRulesSchema = z
  .object({
    REQUEST_ACCESS: z.array(approvalRuleSchema).max(5000).default([]),
    REQUEST_ROLE: z.array(approvalRuleSchema).max(5000).default([]),
  })
  .strict();
export type ApprovalRules = z.infer<typeof approvalRulesSchema>;
