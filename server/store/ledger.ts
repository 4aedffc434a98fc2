// The ledger of requests, grants and role bindings. Async on purpose: the embedded SQLite
// ledger is the default, and a PostgreSQL ledger shared by several replicas must fit the same
// interface, so every state change happens inside `transaction`, never as read-modify-write
// outside one.
import type { DeliveredEvent, TypedEvent } from '../../contract/events.js';
import type { ApprovalRequest, BindingState, Grant, GrantState, RequestStatus, RoleBinding } from '../domain/types.js';

/** How many recent events the ledger keeps per user, and for how long, for replay. */
export const EVENT_RETENTION = { perUser: 1000, ms: 7 * 24 * 3_600_000 } as const;

export interface RequestFilter {
  creator?: string;
  project?: string;
  status?: RequestStatus;
  limit?: number;
}

export interface GrantFilter {
  requester?: string;
  project?: string;
  state?: GrantState;
  limit?: number;
}

export interface BindingFilter {
  user?: string;
  project?: string;
  state?: BindingState;
  activeAt?: number;
}

/**
 * A grant or role is reminded `min(reminderBefore, its duration / REMINDER_SHARE)` ahead of its
 * expiry: one at least twice reminderBefore long is reminded reminderBefore ahead, as always,
 * and a shorter one halfway through — never at the moment it starts, which reads as no warning.
 */
export const REMINDER_SHARE = 2;

/** Everything whose deadline has passed at `now`, for the expiry scheduler. */
export interface DueWork {
  requestsToExpire: ApprovalRequest[];
  grantsToExpire: Grant[];
  bindingsToExpire: RoleBinding[];
  grantsToRemind: Grant[];
  bindingsToRemind: RoleBinding[];
}

export interface LedgerReads {
  getRequest(id: string): Promise<ApprovalRequest | undefined>;
  getGrant(id: string): Promise<Grant | undefined>;
  getBinding(id: string): Promise<RoleBinding | undefined>;
  listRequests(filter: RequestFilter): Promise<ApprovalRequest[]>;
  listGrants(filter: GrantFilter): Promise<Grant[]>;
  listBindings(filter: BindingFilter): Promise<RoleBinding[]>;
  dueWork(now: number, reminderBeforeMs: number, limit: number): Promise<DueWork>;
  /** The seq of the last audit entry written by a committed transaction (0 if none). */
  auditMark(): Promise<number>;
  /** The user's recorded events after the one with id `afterId`, oldest first, at most `limit`. */
  eventsSince(user: string, afterId: string, limit: number): Promise<DeliveredEvent[]>;
  /** The id of the newest event recorded for anyone ('0' if none). */
  lastEventId(): Promise<string>;
  /** The earliest future moment at which dueWork would return something, or null. */
  nextDeadline(reminderBeforeMs: number): Promise<number | null>;
}

export interface LedgerTx extends LedgerReads {
  nextId(kind: 'request' | 'grant' | 'binding'): Promise<string>;
  putRequest(request: ApprovalRequest): Promise<void>;
  putGrant(grant: Grant): Promise<void>;
  putBinding(binding: RoleBinding): Promise<void>;
  /**
   * Records the event for the user (for replay to a client that reconnects) and returns its
   * id, increasing across the service. Keeps only the user's recent events (see EVENT_RETENTION).
   */
  recordEvent(user: string, event: TypedEvent, time: number): Promise<string>;
  /** Records, as part of this transaction, the seq of the last audit entry it wrote. */
  setAuditMark(seq: number): Promise<void>;
}

export interface Ledger extends LedgerReads {
  /** Runs fn atomically and in isolation from every other transaction; a throw rolls back. */
  transaction<T>(fn: (tx: LedgerTx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
