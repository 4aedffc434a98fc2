// Webhook delivery: events are queued in the outbox right after their change commits, in
// commit order, and sent from there. Each webhook's deliveries go out one at a time, oldest
// first, so a later event never overtakes an earlier one (webhooks do not wait for each other); a failed attempt is retried with
// exponential backoff and jitter until it succeeds or runs out of attempts, and then it is
// listed as failed and audited. Waits run on the injected clock.
import { parseDuration } from '../../contract/duration.js';
import type { TypedEvent } from '../../contract/events.js';
import type { Webhook } from '../../contract/webhooks.js';
import type { AuditLog } from '../audit/audit-log.js';
import { serial } from '../concurrency/serial.js';
import type { Clock } from '../domain/clock.js';
import type { ConfigStore, State } from '../store/config-store.js';
import type { LedgerReads } from '../store/ledger.js';
import type { WebhookDelivery, WebhookOutbox, WebhookRef } from '../store/webhook-outbox.js';
import { isWebhookEvent, webhookMessage } from './messages.js';
import { renderPayload } from './payloads.js';
import { post } from './send.js';
import { SIGNATURE_HEADER, signature, TIMESTAMP_HEADER } from './signature.js';

/** The first retry waits about this long; each further one twice as long, up to MAX_BACKOFF_MS. */
export const FIRST_BACKOFF_MS = 10_000;
export const MAX_BACKOFF_MS = 3_600_000;

/** Full backoff for the attempt that just failed, less a random part of up to half, so receivers that failed together are not all retried at once. */
export function backoff(attempts: number, random: () => number): number {
  const full = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (attempts - 1));
  return Math.ceil(full * (1 - random() / 2));
}

export interface Webhooks {
  /** Queues the committed change's events for the webhooks that want them. Never rejects; call it at once after the commit so queues keep commit order. */
  enqueue(events: TypedEvent[]): Promise<void>;
  readonly outbox: WebhookOutbox;
  /** Sends whatever is due now and arms the timer for the next retry. */
  kick(): void;
  /** Resolves when nothing is being queued or sent (tests and shutdown wait on it). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

interface WebhookDeps {
  clock: Clock;
  config: ConfigStore;
  ledger: LedgerReads;
  audit: AuditLog;
}

export function findWebhook(state: Readonly<State>, ref: WebhookRef): Webhook | undefined {
  const hooks = ref.project === undefined ? state.webhooks : state.projects.find((p) => p.id === ref.project)?.webhooks;
  return hooks?.find((h) => h.id === ref.id);
}

export function startWebhooks(deps: WebhookDeps, outbox: WebhookOutbox, options: { onError: (err: unknown) => void; random?: () => number }): Webhooks {
  const random = options.random ?? Math.random;
  const queue = serial();
  let cancelTimer: (() => void) | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;

  const record = async (d: WebhookDelivery, change: Partial<WebhookDelivery>) => {
    const next = { ...d, ...change, updateTime: deps.clock.now() };
    await outbox.update(next);
    if (next.status === 'failed') {
      await deps.audit.append(
        {
          actor: 'system', action: 'webhook.failed', project: d.message.project, requestId: d.message.requestId, outcome: 'error',
          detail: { delivery: d.id, webhook: d.webhook.id, scope: d.webhook.project ?? 'workspace', event: d.message.type, attempts: next.attempts, error: next.lastError },
        },
        deps.clock.now(),
      );
    }
  };

  const attempt = async (d: WebhookDelivery) => {
    const state = await deps.config.read();
    const hook = findWebhook(state, d.webhook);
    if (!hook) return record(d, { status: 'failed', lastError: 'the webhook was removed' });
    const settings = state.webhookDelivery;
    const body = renderPayload(hook.format, d, settings.linkBase);
    const timestamp = Math.floor(deps.clock.now() / 1000);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'jit-access-webhooks',
      'x-jit-delivery': d.id,
      'x-jit-event': d.message.type,
      [TIMESTAMP_HEADER]: String(timestamp),
      ...(hook.secret ? { [SIGNATURE_HEADER]: signature(hook.secret, timestamp, body) } : {}),
    };
    const outcome = await post(hook.url, body, headers, { timeoutMs: parseDuration(settings.timeout)!, allowLoopback: settings.allowLoopback });
    const attempts = d.attempts + 1;
    if (outcome.ok) return record(d, { status: 'delivered', attempts, lastError: undefined });
    if (outcome.permanent || attempts >= settings.maxAttempts) return record(d, { status: 'failed', attempts, lastError: outcome.error });
    return record(d, { attempts, lastError: outcome.error, nextAttemptTime: deps.clock.now() + backoff(attempts, random) });
  };

  const arm = (heads: WebhookDelivery[]) => {
    cancelTimer?.();
    cancelTimer = undefined;
    if (stopped || heads.length === 0) return;
    cancelTimer = deps.clock.at(Math.min(...heads.map((d) => d.nextAttemptTime)), kick);
  };

  // One attempt at a time per webhook (its order), any number across webhooks: a slow
  // receiver holds up only its own deliveries.
  const sending = new Map<string, Promise<void>>();
  const keyOf = (d: WebhookDelivery) => `${d.webhook.project ?? ''}/${d.webhook.id}`;

  const loop = async () => {
    do {
      again = false;
      try {
        const heads = (await outbox.heads()).filter((d) => !sending.has(keyOf(d)));
        const now = deps.clock.now();
        for (const d of heads.filter((h) => h.nextAttemptTime <= now && !stopped)) {
          const key = keyOf(d);
          const sent = attempt(d)
            .catch(options.onError)
            .finally(() => {
              sending.delete(key);
              kick();
            });
          sending.set(key, sent);
        }
        arm(heads.filter((h) => h.nextAttemptTime > now));
      } catch (err) {
        options.onError(err);
      }
    } while (again && !stopped);
    running = undefined;
  };

  function kick() {
    if (stopped) return;
    if (running) again = true;
    else running = loop();
  }

  return {
    outbox,
    kick,
    enqueue(events) {
      return queue.run(async () => {
        try {
          const wanted = events.filter(isWebhookEvent);
          if (wanted.length === 0) return;
          const state = await deps.config.read();
          const now = deps.clock.now();
          const items = [];
          for (const event of wanted) {
            const project = state.projects.find((p) => p.id === event.data.project);
            const targets: [WebhookRef, Webhook][] = [
              ...(state.webhooks ?? []).map((h): [WebhookRef, Webhook] => [{ id: h.id }, h]),
              ...(project?.webhooks ?? []).map((h): [WebhookRef, Webhook] => [{ project: project!.id, id: h.id }, h]),
            ].filter(([, h]) => (h.events as string[]).includes(event.type));
            if (targets.length === 0) continue;
            const message = await webhookMessage(deps.ledger, event, now);
            for (const [webhook] of targets) items.push({ webhook, message });
          }
          if (items.length === 0) return;
          await outbox.add(items, now);
          kick();
        } catch (err) {
          options.onError(err);
        }
      });
    },
    async idle() {
      await queue.idle();
      while (running || sending.size) {
        await running;
        await Promise.all(sending.values());
      }
    },
    async close() {
      stopped = true;
      cancelTimer?.();
      await this.idle();
      await outbox.close();
    },
  };
}
