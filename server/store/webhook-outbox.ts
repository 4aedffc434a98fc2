// The webhook outbox: deliveries waiting to go out, sent, or given up. Durable, so pending
// deliveries survive a restart; async, so a PostgreSQL store can back it as well as SQLite.
import type { DeliveryStatus, WebhookEvent } from '../../contract/webhooks.js';

export type { DeliveryStatus } from '../../contract/webhooks.js';

/** A webhook of the workspace (no project) or of a project. */
export interface WebhookRef {
  project?: string;
  id: string;
}

/** What happened, as it is told to every webhook; rendered per format when sent. */
export interface WebhookMessage {
  type: WebhookEvent;
  project: string;
  time: number;
  data: Record<string, unknown>;
  /** One line for people, e.g. "alice asked for access to shop: ticket 42". */
  text: string;
  requestId?: string;
}

export interface WebhookDelivery {
  id: string;
  webhook: WebhookRef;
  message: WebhookMessage;
  status: DeliveryStatus;
  attempts: number;
  /** When the next attempt is due (pending deliveries only). */
  nextAttemptTime: number;
  createTime: number;
  updateTime: number;
  lastError?: string;
}

/** How long sent and given-up deliveries are kept for the list. */
export const DELIVERY_RETENTION_MS = 30 * 24 * 3_600_000;

export interface WebhookOutbox {
  /** Queues the deliveries in this order, pending and due at `now`; durable once it resolves. */
  add(items: { webhook: WebhookRef; message: WebhookMessage }[], now: number): Promise<void>;
  /** Each webhook's oldest pending delivery: the only one of its deliveries that may go out next. */
  heads(): Promise<WebhookDelivery[]>;
  /** Stores a delivery's new status, attempts, due time and error. */
  update(delivery: WebhookDelivery): Promise<void>;
  get(id: string): Promise<WebhookDelivery | undefined>;
  /** Newest first. */
  list(filter: { status?: DeliveryStatus; limit: number }): Promise<WebhookDelivery[]>;
  close(): Promise<void>;
}
