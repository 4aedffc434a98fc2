// How often each grant was used and when last, read from the audit log (the record of every
// use): successful runs (`grant.run` ok) and exports that finished (`grant.export.finished` ok).
import type { AuditEntry, AuditLog } from '../audit/audit-log.js';
import type { Grant } from './types.js';

export interface GrantUsage {
  runs: number;
  exports: number;
  lastUsedTime?: string;
}

const USES = { runs: 'grant.run', exports: 'grant.export.finished' } as const;

export async function usageOf(audit: AuditLog, grants: Grant[]): Promise<Map<string, GrantUsage>> {
  const usage = new Map<string, GrantUsage>(grants.map((g) => [g.id, { runs: 0, exports: 0 }]));
  if (grants.length === 0) return usage;
  // Nothing uses a grant before it exists: the log is read backwards only that far.
  const since = Math.min(...grants.map((g) => g.createTime));
  for (const [kind, action] of Object.entries(USES) as [keyof typeof USES, string][]) {
    const entries: AuditEntry[] = await audit.query({ action, since, limit: Number.MAX_SAFE_INTEGER });
    for (const entry of entries) {
      const counts = entry.grantId === undefined ? undefined : usage.get(entry.grantId);
      if (!counts || entry.outcome !== 'ok') continue;
      counts[kind] += 1;
      if (counts.lastUsedTime === undefined || entry.time > counts.lastUsedTime) counts.lastUsedTime = entry.time;
    }
  }
  return usage;
}
