// Every state change runs through here: one ledger transaction, whose audit entries are
// appended (and fsync'ed, or written in the same database transaction) before it commits — so
// no change is ever unaudited — and whose events go out only after it committed.
import type { AuditEvent } from '../audit/audit-log.js';
import type { DeliveredEvent, TypedEvent } from '../../contract/events.js';
import type { LedgerTx } from '../store/ledger.js';
import type { Deps } from './deps.js';
import type { DomainError } from './errors.js';

export interface Effects {
  audit(event: AuditEvent): void;
  /** Sends the event to each user once, recorded with the change (for replay) and delivered after it commits. */
  emit(users: string[], event: TypedEvent): void;
  /** Commit what was done so far, then fail the call with this error (e.g. "it just expired"). */
  failAfterCommit(error: DomainError): void;
}

export interface ChangeOptions {
  /**
   * false for a transaction that only reads the ledger (to be isolated from changes) and
   * audits, like the last check before a run returns rows: its entries record no change that
   * could be lost, so they are not marked, and its commit writes (and fsyncs) nothing.
   */
  ledgerWrites?: boolean;
}

export async function change<T>(deps: Deps, fn: (tx: LedgerTx, fx: Effects) => Promise<T>, options: ChangeOptions = {}): Promise<T> {
  const txn = options.ledgerWrites ?? true;
  const events: [string[], TypedEvent][] = [];
  const deliveries: [string, DeliveredEvent][] = [];
  let failure: DomainError | undefined;
  const appended: number[] = [];
  let result: T;
  try {
    result = await deps.ledger.transaction(async (tx) => {
      const audits: AuditEvent[] = [];
      const value = await fn(tx, {
        audit: (e) => audits.push(e),
        emit: (users, e) => events.push([users, e]),
        failAfterCommit: (e) => (failure = e),
      });
      for (const entry of audits) appended.push((await deps.audit.append(txn ? { ...entry, txn } : entry, deps.clock.now(), tx)).seq);
      // Committed together with the change: after a crash between the append and the commit,
      // the entries past this mark are known to record a change that never happened.
      if (txn && appended.length) await tx.setAuditMark(appended[appended.length - 1]);
      for (const [users, event] of events) {
        for (const user of new Set(users)) deliveries.push([user, { ...event, id: await tx.recordEvent(user, event, deps.clock.now()) }]);
      }
      return value;
    });
  } catch (err) {
    // The entries were appended but the change rolled back (its commit failed): the log must say
    // so, or they would stand for a change that never happened — under ids that the ledger
    // hands out again to the next request. A log kept in the ledger's database rolled them back.
    if (appended.length && !deps.audit.joinsLedgerTransactions) {
      await deps.audit
        .append({ actor: 'system', action: 'audit.uncommitted', outcome: 'error', detail: { seqs: appended, reason: 'the change these entries record was rolled back' } }, deps.clock.now())
        .catch(() => undefined);
    }
    throw err;
  }
  // Queued before anything else awaits, so each webhook hears of changes in commit order.
  const queued = deps.webhooks.enqueue(events.map(([, event]) => event));
  await Promise.all(deliveries.map(([user, event]) => deps.events.deliver(user, event)));
  await queued;
  deps.onCommit?.();
  if (failure) throw failure;
  return result;
}
