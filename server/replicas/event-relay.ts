// Events across replicas on one store. The transaction that records an event announces the
// user and the event's id to every replica (the store's NOTIFY, sent at its commit); every replica, for each such user with a
// subscriber here, reads the user's events after the last one it delivered from the ledger and
// hands them to its local bus. Reading, rather than trusting the message, gives every
// subscriber its events in ledger order under the ids a replay gives, never twice, and lets
// the next read make up for a message that was lost. This relies on the store giving event ids
// in commit order (its writing transactions serialize): once id N is seen committed, no event
// at or below N can still appear.
import type { DeliveredEvent } from '../../contract/events.js';
import { EventBus, type Events, type ServiceEvent } from '../events/bus.js';
import type { LedgerReads } from '../store/ledger.js';

const PAGE = 200;

export interface EventRelayOptions {
  ledger: Pick<LedgerReads, 'eventsSince' | 'lastEventId'>;
  /** Wait before reading again for a user after a read failed. */
  retryMs: number;
  log(line: string): void;
}

export class EventRelay implements Events {
  private readonly local = new EventBus();
  private readonly subscribers = new Map<string, number>();
  /** Per user with a subscriber here: the id of the last event delivered to them (or known to be before their subscription). */
  private readonly cursors = new Map<string, bigint>();
  /** The highest event id known committed. */
  private high = 0n;
  private readonly dirty = new Set<string>();
  private readonly draining = new Map<string, Promise<void>>();
  private readonly retries = new Set<NodeJS.Timeout>();
  /** Local changes waiting until their event reached this replica's subscribers (or no read is left to do). */
  private readonly waiting = new Map<string, { id: bigint; resolve: () => void }[]>();
  private closed = false;

  constructor(private readonly options: EventRelayOptions) {}

  /**
   * Learns the newest event id before the first subscriber comes, so that everything a
   * subscriber is given was committed after it subscribed (or, when an announcement is still
   * on its way, just before), and nothing committed after is taken for history.
   */
  async start(): Promise<void> {
    this.seen(BigInt(await this.options.ledger.lastEventId()));
  }

  subscribe(user: string, listener: (event: ServiceEvent) => void): () => void {
    const count = this.subscribers.get(user) ?? 0;
    this.subscribers.set(user, count + 1);
    if (count === 0) {
      // Every event at or below the highest id seen committed came before this subscription.
      this.cursors.set(user, this.high);
    }
    const unsubscribe = this.local.subscribe(user, listener);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      unsubscribe();
      const left = this.subscribers.get(user)! - 1;
      if (left > 0) return void this.subscribers.set(user, left);
      this.subscribers.delete(user);
      this.cursors.delete(user);
    };
  }

  /** After a change committed here (the store announced it to the others): deliver here in ledger order. */
  deliver(user: string, event: DeliveredEvent): Promise<void> {
    const id = BigInt(event.id);
    this.seen(id);
    if (!this.cursors.has(user)) return Promise.resolve();
    const delivered = new Promise<void>((resolve) => {
      const list = this.waiting.get(user) ?? [];
      this.waiting.set(user, [...list, { id, resolve }]);
    });
    this.changed(user);
    return delivered;
  }

  /** An announcement of a committed event (the store's `eventNotice`), from any replica. */
  notified(payload: string): void {
    let message: { user?: unknown; id?: unknown };
    try {
      message = JSON.parse(payload);
    } catch {
      message = {};
    }
    if (typeof message.user !== 'string' || typeof message.id !== 'string' || !/^\d{1,18}$/.test(message.id)) {
      this.options.log(`replica events: ignored a malformed notification: ${payload.slice(0, 200)}`);
      return;
    }
    this.seen(BigInt(message.id));
    this.changed(message.user);
  }

  /** Reads again for every subscribed user: messages may have been lost (e.g. while reconnecting). */
  catchUp(): void {
    for (const user of this.cursors.keys()) this.changed(user);
  }

  get subscriberCount(): number {
    return this.local.subscriberCount;
  }

  /** Resolves once no read is running or queued (tests wait on it). */
  async idle(): Promise<void> {
    while (this.draining.size) await Promise.all(this.draining.values());
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.retries) clearTimeout(timer);
    await this.idle();
    for (const user of [...this.waiting.keys()]) this.settle(user);
  }

  private seen(id: bigint): void {
    if (id > this.high) this.high = id;
  }

  private changed(user: string): void {
    if (this.closed || !this.cursors.has(user)) return;
    this.dirty.add(user);
    if (!this.draining.has(user)) this.draining.set(user, this.drain(user));
  }

  // One read at a time per user, so their events go out in order; a change noticed during a
  // read makes one more read.
  private async drain(user: string): Promise<void> {
    while (this.dirty.delete(user)) {
      try {
        await this.read(user);
      } catch (err) {
        this.options.log(`replica events: reading ${user}'s events failed (${(err as Error).message}); trying again`);
        const timer = setTimeout(() => {
          this.retries.delete(timer);
          this.changed(user);
        }, this.options.retryMs);
        this.retries.add(timer);
      }
    }
    this.draining.delete(user);
    // Nothing more to read: delivered, unsubscribed, or left to the retry.
    this.settle(user);
  }

  private settle(user: string, upTo?: bigint): void {
    const list = this.waiting.get(user);
    if (!list) return;
    const left = upTo === undefined ? [] : list.filter((w) => w.id > upTo);
    for (const w of list) if (!left.includes(w)) w.resolve();
    if (left.length) this.waiting.set(user, left);
    else this.waiting.delete(user);
  }

  private async read(user: string): Promise<void> {
    for (;;) {
      const from = this.cursors.get(user);
      if (from === undefined) return;
      const page = await this.options.ledger.eventsSince(user, from.toString(), PAGE);
      for (const event of page) {
        const id = BigInt(event.id);
        const cursor = this.cursors.get(user);
        // Unsubscribed meanwhile, or subscribed again past this event.
        if (cursor === undefined || id <= cursor) continue;
        this.cursors.set(user, id);
        this.seen(id);
        this.local.deliver(user, event);
        this.settle(user, id);
      }
      if (page.length < PAGE) return;
    }
  }
}
