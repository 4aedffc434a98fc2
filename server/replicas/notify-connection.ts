// One PostgreSQL connection per replica for LISTEN/NOTIFY between replicas. It reconnects by
// itself when it drops; notifications sent while it is down wait and go out after the
// reconnect, and `onConnected` runs after every (re)connect so the caller can read what it may
// have missed. A replica's own notifications are not handed back to it.
import pg from 'pg';

export interface NotifyConnectionOptions {
  url: string;
  channels: readonly string[];
  onNotification(channel: string, payload: string): void;
  /** After the first connect and after every reconnect, once LISTEN is in place. */
  onConnected(): void;
  /** Wait between reconnect attempts. */
  retryMs: number;
  log(line: string): void;
}

export class NotifyConnection {
  private client: pg.Client | undefined;
  private ready = false;
  private pid = 0;
  private closed = false;
  private retry: NodeJS.Timeout | undefined;
  private flushing = false;
  /** Waiting to be sent, by channel and key: a later notification with the same key replaces an earlier one. */
  private pending = new Map<string, [channel: string, payload: string]>();

  private constructor(private readonly options: NotifyConnectionOptions) {}

  /** Connects and listens; fails when the first connect does (a misconfigured store must stop the start). */
  static async open(options: NotifyConnectionOptions): Promise<NotifyConnection> {
    const connection = new NotifyConnection(options);
    try {
      await connection.connect();
    } catch (err) {
      await connection.close();
      throw err;
    }
    return connection;
  }

  get connected(): boolean {
    return this.ready;
  }

  /** Sends the notification (batched with the others sent in the same turn), replacing a pending one with the same key. */
  notify(channel: string, key: string, payload: string): void {
    this.pending.set(`${channel}\n${key}`, [channel, payload]);
    queueMicrotask(() => this.flush());
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    this.ready = false;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.url, keepAlive: true, application_name: 'jit-access replica events' });
    this.client = client;
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client));
    client.on('notification', (n) => {
      if (n.processId !== this.pid) this.options.onNotification(n.channel, n.payload ?? '');
    });
    try {
      await client.connect();
      this.pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      for (const channel of this.options.channels) await client.query(`LISTEN ${client.escapeIdentifier(channel)}`);
    } catch (err) {
      this.lost(client, err);
      throw err;
    }
    if (this.client !== client) return;
    this.ready = true;
    this.options.onConnected();
    this.flush();
  }

  private lost(client: pg.Client, err?: unknown): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.ready = false;
    client.end().catch(() => undefined);
    if (this.closed) return;
    this.options.log(`replica events: connection to the store lost (${err instanceof Error ? err.message : 'closed'}); reconnecting`);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      // A failure is logged and retried by lost().
      this.connect().catch(() => undefined);
    }, this.options.retryMs);
  }

  private flush(): void {
    const client = this.client;
    if (!this.ready || !client || this.flushing || this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    this.flushing = true;
    const sent = [...batch.values()];
    client
      .query('SELECT pg_notify(c, p) FROM unnest($1::text[], $2::text[]) AS n(c, p)', [sent.map(([c]) => c), sent.map(([, p]) => p)])
      .catch((err: unknown) => {
        // Lost with the connection: kept (behind anything newer under the same key) for after
        // the reconnect. Refused on a live connection, it would be refused again: dropped.
        if (this.client !== client || !this.ready) this.pending = new Map([...batch, ...this.pending]);
        else this.options.log(`replica events: notification refused by the store: ${(err as Error).message}`);
      })
      .finally(() => {
        this.flushing = false;
        this.flush();
      });
  }
}
