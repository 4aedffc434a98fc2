// The audit log as workspace admins read it.
import type { AuditEntry, AuditFilter } from '../audit/audit-log.js';
import { authorizeWorkspace } from './authorization.js';
import type { Actor, Deps } from './deps.js';

export async function readAudit(deps: Deps, actor: Actor, filter: AuditFilter): Promise<AuditEntry[]> {
  authorizeWorkspace(actor, 'audit.read');
  return deps.audit.query(filter);
}
