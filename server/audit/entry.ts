// One audit log entry and its hash: each line's hash covers the previous line's hash and the
// line's own content.
import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEvent {
  actor: string;
  action: string;
  project?: string;
  requestId?: string;
  grantId?: string;
  bindingId?: string;
  database?: string;
  statement?: string;
  rowCount?: number;
  durationMs?: number;
  outcome?: 'ok' | 'error' | 'denied';
  clientAddress?: string;
  userAgent?: string;
  detail?: Record<string, unknown>;
  /** Written inside a ledger transaction: it stands only if that transaction committed. */
  txn?: boolean;
}

export interface AuditEntry extends AuditEvent {
  seq: number;
  time: string;
  prevHash: string;
  hash: string;
}

/** The hash of an entry: sha256 over the previous hash and the entry's JSON without `hash`. */
export function hashEntry(entry: Omit<AuditEntry, 'hash'>): string {
  return createHash('sha256').update(entry.prevHash).update('\n').update(JSON.stringify(entry)).digest('hex');
}

/** The entry that links `event` to the chain after the entry `prev` (seq 0 and GENESIS_HASH at the start). */
export function chainEntry(event: AuditEvent, time: number, prev: { seq: number; hash: string }): AuditEntry {
  const body = { seq: prev.seq + 1, time: new Date(time).toISOString(), ...event, prevHash: prev.hash };
  return { ...body, hash: hashEntry(body) };
}

/** One line of the log as an entry, or undefined when it is not JSON (an accepted broken region may hold anything). */
export function parseEntry(line: string): AuditEntry | undefined {
  try {
    return JSON.parse(line) as AuditEntry;
  } catch {
    return undefined;
  }
}
