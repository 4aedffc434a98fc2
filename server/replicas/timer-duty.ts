// The timer duty across replicas: only the replica holding a session-level advisory lock on a
// dedicated connection runs the expiry scheduler. The others try again every few seconds; when
// the holder dies, PostgreSQL frees the lock with its connection and the next try takes over.
// A holder that loses its connection stops its scheduler at once. Two schedulers can still
// overlap for a moment (a holder cut off by the network runs until it notices), which is why
// every expiry and reminder transaction checks the state it changes inside the transaction.
import pg from 'pg';
import type { ExpiryScheduler } from '../domain/expiry.js';
import { ADVISORY_LOCKS } from '../store/postgres/pool.js';

/** The duty connection's application_name: pg_stat_activity shows which process holds the duty. */
export const DUTY_CONNECTION = `jit-access timer duty, pid ${process.pid}`;

export interface TimerDutyOptions {
  url: string;
  /** Starts the scheduler when this replica takes the duty; it is stopped when the duty is lost. */
  start(): ExpiryScheduler;
  /** Between tries to take the duty, and between checks that the holder's connection still lives. */
  retryMs: number;
  log(line: string): void;
}

/** The expiry scheduler of a replica: it runs only while this replica holds the duty. */
export class TimerDuty implements ExpiryScheduler {
  private client: pg.Client | undefined;
  private scheduler: ExpiryScheduler | undefined;
  /** The scheduler last stopped, until it is idle (idle() waits for it too). */
  private stopping: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private trying: Promise<void> | undefined;
  private stopped = false;

  private constructor(private readonly options: TimerDutyOptions) {}

  /** Tries once to take the duty, then keeps trying in the background. */
  static async start(options: TimerDutyOptions): Promise<TimerDuty> {
    const duty = new TimerDuty(options);
    await duty.attempt();
    duty.next();
    return duty;
  }

  get holding(): boolean {
    return this.scheduler !== undefined;
  }

  kick(): void {
    this.scheduler?.kick();
  }

  async idle(): Promise<void> {
    await this.trying;
    await this.stopping;
    await this.scheduler?.idle();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.release(true);
  }

  private next(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.trying = this.attempt();
      void this.trying.then(() => this.next());
    }, this.options.retryMs);
  }

  private async attempt(): Promise<void> {
    let client = this.client;
    try {
      if (!client) {
        client = this.connect();
        await client.connect();
      }
      if (this.client !== client || this.stopped) return;
      if (this.scheduler) {
        // The holder checks its connection, and looks for due work in case the notice of a
        // change made elsewhere was lost.
        await client.query('SELECT 1');
        this.scheduler.kick();
        return;
      }
      const { rows } = await client.query<{ held: boolean }>('SELECT pg_try_advisory_lock($1) AS held', [ADVISORY_LOCKS.timerDuty]);
      if (!rows[0].held || this.client !== client || this.stopped) return;
      this.options.log('timer duty: taken (this replica records expiries and sends reminders)');
      this.scheduler = this.options.start();
      this.scheduler.kick();
    } catch (err) {
      if (client) this.lost(client, err);
    }
  }

  private connect(): pg.Client {
    const client = new pg.Client({ connectionString: this.options.url, keepAlive: true, application_name: DUTY_CONNECTION });
    this.client = client;
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client));
    return client;
  }

  private lost(client: pg.Client, err?: unknown): void {
    if (this.client !== client) return;
    if (this.scheduler) this.options.log(`timer duty: lost with the connection to the store (${err instanceof Error ? err.message : 'closed'}); another replica takes over`);
    this.release();
  }

  /**
   * Stops the scheduler, then closes the connection, which frees the lock. On a stop the lock
   * is freed first, so that a service started right after (a restart) can take it: the server
   * may free it only some time after the connection closed.
   */
  private release(unlock = false): void {
    const client = this.client;
    const scheduler = this.scheduler;
    this.client = undefined;
    this.scheduler = undefined;
    scheduler?.stop();
    const previous = this.stopping;
    this.stopping = (async () => {
      await previous;
      await scheduler?.idle();
      if (unlock) await client?.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
      await client?.end().catch(() => undefined);
    })();
  }
}
