// auth.oidc in the configuration file: which identity provider's tokens the service accepts,
// and how the provider's groups map to workspace and project roles.
import { z } from 'zod';
import { parseDuration } from '../../contract/duration.js';
import { durationString } from '../../contract/settings.js';
import { PROJECT_ROLES, WORKSPACE_ROLES } from '../../contract/vocabulary.js';

const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);
const MAX_CLOCK_SKEW_MS = 5 * 60_000;

// Tokens and keys from a plain-http issuer could be swapped on the way; loopback is for tests and local providers.
const issuerUrl = z
  .string()
  .url()
  .refine((s) => {
    const url = new URL(s);
    return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname));
  }, 'must be an https URL (plain http only on loopback)')
  .refine((s) => !/[?#]/.test(s), 'must be the issuer exactly as its tokens carry it in "iss", without query or fragment');

const claimName = z.string().min(1).max(100);

export const groupRoleSchema = z
  .object({
    workspaceRole: z.enum(WORKSPACE_ROLES).optional(),
    /** Project id → the roles members of the group hold in it. */
    projects: z.record(z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'must be a project id'), z.array(z.enum(PROJECT_ROLES)).min(1)).default({}),
  })
  .strict();
export type GroupRole = z.infer<typeof groupRoleSchema>;

export const oidcSchema = z
  .object({
    issuer: issuerUrl,
    audience: z.string().min(1).max(512),
    /** Absent: preferred_username, else sub. */
    usernameClaim: claimName.optional(),
    groupsClaim: claimName.default('groups'),
    clockSkew: durationString
      .refine((d) => parseDuration(d)! <= MAX_CLOCK_SKEW_MS, 'must be at most 5m: a longer skew keeps expired tokens alive')
      .default('60s'),
    groupRoles: z.record(z.string().min(1).max(256), groupRoleSchema).default({}),
  })
  .strict();
export type OidcConfig = z.infer<typeof oidcSchema>;

export const authSchema = z.object({ oidc: oidcSchema.optional() }).strict();

/** A group mapped to a project the config does not have is a typo that would silently grant nothing. */
export function checkGroupProjects(auth: z.infer<typeof authSchema> | undefined, projects: Set<string>, ctx: z.RefinementCtx): void {
  for (const [group, mapping] of Object.entries(auth?.oidc?.groupRoles ?? {})) {
    for (const project of Object.keys(mapping.projects)) {
      if (!projects.has(project)) {
        ctx.addIssue({ code: 'custom', path: ['auth', 'oidc', 'groupRoles', group, 'projects', project], message: `unknown project "${project}"` });
      }
    }
  }
}
