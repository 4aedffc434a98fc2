// What the domain needs from the outside world, injected so tests swap clock and stores.
import type { ProjectRole } from '../config/schema.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Engine } from '../engines/engine.js';
import type { Events } from '../events/bus.js';
import type { Webhooks } from '../notify/webhooks.js';
import type { StatementAnalyzer } from '../sql/analysis.js';
import type { ConfigStore } from '../store/config-store.js';
import type { Ledger } from '../store/ledger.js';
import type { Clock } from './clock.js';
import type { FairShare } from './fair-share.js';

export interface Deps {
  clock: Clock;
  config: ConfigStore;
  ledger: Ledger;
  audit: AuditLog;
  engines: Map<string, Engine>;
  events: Events;
  /** Tells the configured webhooks about committed changes. */
  webhooks: Webhooks;
  /** Reads statements with the request-time gate, off the event loop when they are long. */
  analyzer: StatementAnalyzer;
  /** Admits statements to each instance fairly across users. */
  fairShare: FairShare;
  /** Called after each committed change, so the expiry scheduler can re-arm its timer. */
  onCommit?: () => void;
}

/** The caller of an operation, with what the audit log records about where it came from. */
export interface Actor {
  id: string;
  workspaceRole: 'workspaceAdmin' | 'workspaceDBA' | 'workspaceMember';
  /** Project roles the identity provider's groups give (auth.oidc.groupRoles), on top of the configured members. */
  groupRoles?: { project: string; role: ProjectRole }[];
  /** Who the caller is, for a user the identity provider vouches for and the config may not list. */
  profile?: { name: string; email: string };
  /** When the caller's credential stops being valid (a token's exp), for streams that outlive the request. */
  expiresAt?: number;
  clientAddress?: string;
  userAgent?: string;
}
