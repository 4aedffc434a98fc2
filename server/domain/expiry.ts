// Records expiries and sends reminders by itself: one timer armed at the ledger's next
// deadline (not a scan every second), re-armed after every committed change. After a restart
// the first run expires everything overdue at once.
import { parseDuration } from '../../contract/duration.js';
import type { TypedEvent } from '../../contract/events.js';
import type { LedgerTx } from '../store/ledger.js';
import { iso } from './clock.js';
import { change } from './change.js';
import type { Deps } from './deps.js';
import { expireRequest } from './requests.js';
import type { Grant, RoleBinding } from './types.js';

const BATCH = 500;

export interface ExpiryScheduler {
  /** Processes whatever is due now and re-arms the timer. */
  kick(): void;
  /** Resolves when no processing is running or queued (tests and shutdown wait on it). */
  idle(): Promise<void>;
  stop(): void;
}

export async function expireGrant(deps: Deps, grant: Grant, now: number) {
  await change(deps, async (tx, fx) => {
    const current = await tx.getGrant(grant.id);
    if (!current || current.state !== 'ACTIVE' || current.expireTime! > now) return;
    current.state = 'EXPIRED';
    await tx.putGrant(current);
    fx.audit({ actor: 'system', action: 'grant.expired', project: current.project, grantId: current.id, requestId: current.requestId, detail: { expireTime: iso(current.expireTime!) } });
    fx.emit([current.requester], { type: 'grant.expired', data: { grantId: current.id, project: current.project } });
  });
}

async function expireBinding(deps: Deps, binding: RoleBinding, now: number) {
  await change(deps, async (tx, fx) => {
    const current = await tx.getBinding(binding.id);
    if (!current || current.state !== 'ACTIVE' || current.expireTime > now) return;
    current.state = 'EXPIRED';
    await tx.putBinding(current);
    fx.audit({ actor: 'system', action: 'role.expired', project: current.project, bindingId: current.id, requestId: current.requestId, detail: { user: current.user, role: current.role } });
    fx.emit([current.user], { type: 'role.expired', data: { bindingId: current.id, role: current.role, project: current.project } });
  });
}

/** Sends a reminder once: the mark that it went out is written in the change that records it. */
async function remindOnce<T extends Grant | RoleBinding>(
  deps: Deps,
  now: number,
  load: (tx: LedgerTx) => Promise<T | undefined>,
  save: (tx: LedgerTx, held: T) => Promise<void>,
  reminder: (held: T) => [string[], TypedEvent],
) {
  await change(deps, async (tx, fx) => {
    const current = await load(tx);
    if (current?.state !== 'ACTIVE' || current.remindTime !== undefined) return;
    current.remindTime = now;
    await save(tx, current);
    fx.emit(...reminder(current));
  });
}

async function processDue(deps: Deps): Promise<number> {
  const state = await deps.config.read();
  const reminderMs = parseDuration(state.workspace.reminderBefore)!;
  const now = deps.clock.now();
  const due = await deps.ledger.dueWork(now, reminderMs, BATCH);
  for (const r of due.requestsToExpire) {
    await change(deps, async (tx, fx) => {
      const current = await tx.getRequest(r.id);
      if (current?.status === 'OPEN' && current.expireTime <= now) await expireRequest(tx, fx, current, now);
    });
  }
  for (const g of due.grantsToExpire) await expireGrant(deps, g, now);
  for (const b of due.bindingsToExpire) await expireBinding(deps, b, now);
  for (const g of due.grantsToRemind) {
    await remindOnce(deps, now, (tx) => tx.getGrant(g.id), (tx, grant) => tx.putGrant(grant), (grant) => [
      [grant.requester],
      { type: 'grant.expiring', data: { grantId: grant.id, project: grant.project, expireTime: iso(grant.expireTime!) } },
    ]);
  }
  for (const b of due.bindingsToRemind) {
    await remindOnce(deps, now, (tx) => tx.getBinding(b.id), (tx, binding) => tx.putBinding(binding), (binding) => [
      [binding.user],
      { type: 'role.expiring', data: { bindingId: binding.id, role: binding.role, project: binding.project, expireTime: iso(binding.expireTime) } },
    ]);
  }
  return Object.values(due).reduce((n, list) => n + list.length, 0);
}

export function startExpiryScheduler(deps: Deps, onError: (err: unknown) => void): ExpiryScheduler {
  let cancelTimer: (() => void) | undefined;
  let armedAt: number | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;

  const arm = async () => {
    const state = await deps.config.read();
    const next = await deps.ledger.nextDeadline(parseDuration(state.workspace.reminderBefore)!);
    if (stopped || next === null || next === armedAt) return;
    cancelTimer?.();
    armedAt = next;
    cancelTimer = deps.clock.at(next, () => {
      armedAt = undefined;
      kick();
    });
  };

  const loop = async () => {
    do {
      again = false;
      try {
        while ((await processDue(deps)) >= BATCH);
        await arm();
      } catch (err) {
        onError(err);
      }
    } while (again && !stopped);
    running = undefined;
  };

  const kick = () => {
    if (stopped) return;
    if (running) again = true;
    else running = loop();
  };

  return {
    kick,
    async idle() {
      while (running) await running;
    },
    stop() {
      stopped = true;
      cancelTimer?.();
    },
  };
}
