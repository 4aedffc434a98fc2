// What makes replicas on one PostgreSQL store behave as one service: events reach every
// replica's subscribers (event-relay.ts), one replica at a time runs the expiry scheduler
// (timer-duty.ts), and a change committed anywhere makes the duty holder look at its deadlines
// again (a grant approved on one replica may expire before anything the holder knows of).
import type { ExpiryScheduler } from '../domain/expiry.js';
import type { LedgerReads } from '../store/ledger.js';
import { EVENTS_CHANNEL } from '../store/postgres/ledger.js';
import { EventRelay } from './event-relay.js';
import { NotifyConnection } from './notify-connection.js';
import { TimerDuty } from './timer-duty.js';

export const CHANGES_CHANNEL = 'jit_changes';

export interface ReplicationOptions {
  url: string;
  ledger: Pick<LedgerReads, 'eventsSince' | 'lastEventId'>;
  log(line: string): void;
  /** Between reconnects of the LISTEN connection and between tries to take the timer duty. */
  retryMs?: number;
}

export interface Replication {
  /** The event delivery for Deps.events. */
  events: EventRelay;
  /** Starts (or waits for) the timer duty; `start` starts the expiry scheduler when this replica takes it. */
  timerDuty(start: () => ExpiryScheduler): Promise<TimerDuty>;
  /** After every change committed here (Deps.onCommit). */
  committed(): void;
  close(): Promise<void>;
}

const DEFAULT_RETRY_MS = 2000;

export async function startReplication(options: ReplicationOptions): Promise<Replication> {
  const retryMs = options.retryMs ?? DEFAULT_RETRY_MS;
  let duty: TimerDuty | undefined;
  const events = new EventRelay({
    ledger: options.ledger,
    retryMs,
    log: options.log,
  });
  const connection = await NotifyConnection.open({
    url: options.url,
    channels: [EVENTS_CHANNEL, CHANGES_CHANNEL],
    onNotification: (channel, payload) => (channel === EVENTS_CHANNEL ? events.notified(payload) : duty?.kick()),
    // Whatever was committed while the connection was down was not heard of.
    onConnected: () => {
      events.catchUp();
      duty?.kick();
    },
    retryMs,
    log: options.log,
  });
  // Listening first: whatever commits after the newest id read here is announced to us.
  await events.start();
  return {
    events,
    async timerDuty(start) {
      duty = await TimerDuty.start({ url: options.url, start, retryMs, log: options.log });
      return duty;
    },
    committed: () => connection.notify(CHANGES_CHANNEL, '', ''),
    async close() {
      duty?.stop();
      await duty?.idle();
      await connection.close();
      await events.close();
    },
  };
}
