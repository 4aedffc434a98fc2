import { createRoute, z } from '@hono/zod-openapi';
import { readAudit } from '../../domain/audit-reads.js';
import type { Deps } from '../../domain/deps.js';
import { errors, json, router, secured } from '../env.js';
import { AuditEntry } from '../../../contract/schemas.js';

const list = createRoute({
  method: 'get', path: '/audit', security: secured,
  summary: 'Read the audit log (newest first)',
  request: {
    query: z.object({
      grant: z.string().max(64).optional(),
      user: z.string().max(64).optional(),
      action: z.string().max(64).optional(),
      since: z
        .string()
        .max(40)
        .refine((s) => !Number.isNaN(Date.parse(s)), 'since must be an RFC 3339 time')
        .transform((s) => Date.parse(s))
        .optional()
        .openapi({ description: 'RFC 3339 time; entries at or after it' }),
      limit: z.coerce.number().int().min(1).max(10_000).default(100),
    }),
  },
  responses: { 200: json(z.object({ entries: z.array(AuditEntry) })), 400: errors[400], 401: errors[401], 403: errors[403] },
});

export const auditRoutes = (deps: Deps) =>
  router().openapi(list, async (c) => {
    const q = c.req.valid('query');
    const entries = await readAudit(deps, c.get('actor'), { grantId: q.grant, user: q.user, action: q.action, since: q.since, limit: q.limit });
    return c.json({ entries }, 200);
  });
