// What a reconnecting client missed: the user's recorded events after the last one it saw,
// without reminders that no longer hold (an expiring grant or role since ended).
import type { DeliveredEvent } from '../../contract/events.js';
import type { LedgerReads } from '../store/ledger.js';

const PAGE = 200;

async function stillRelevant(ledger: LedgerReads, event: DeliveredEvent, now: number): Promise<boolean> {
  if (event.type === 'grant.expiring') {
    const grant = await ledger.getGrant(event.data.grantId);
    return grant?.state === 'ACTIVE' && grant.expireTime! > now;
  }
  if (event.type === 'role.expiring') {
    const binding = await ledger.getBinding(event.data.bindingId);
    return binding?.state === 'ACTIVE' && binding.expireTime > now;
  }
  return true;
}

export async function* missedEvents(ledger: LedgerReads, user: string, afterId: string, now: number): AsyncGenerator<DeliveredEvent> {
  let after = afterId;
  for (;;) {
    const page = await ledger.eventsSince(user, after, PAGE);
    for (const event of page) if (await stillRelevant(ledger, event, now)) yield event;
    if (page.length < PAGE) return;
    after = page[page.length - 1].id;
  }
}
