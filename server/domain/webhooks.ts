// Webhooks of the workspace (its admins manage them) and of each project (its owners and the
// workspace admins), and the deliveries admins read and retry. A secret is written, never
// read back: views and audit entries say only whether one is set.
import type { Webhook, WebhookFormat, WebhookEvent } from '../../contract/webhooks.js';
import { findWebhook } from '../notify/webhooks.js';
import { urlRefusal } from '../notify/targets.js';
import type { State } from '../store/config-store.js';
import type { DeliveryStatus, WebhookDelivery } from '../store/webhook-outbox.js';
import { findProject } from './access.js';
import { iso } from './clock.js';
import { authorizeProjectSettings, authorizeWorkspace } from './authorization.js';
import { changeConfig } from './config-changes.js';
import type { Actor, Deps } from './deps.js';
import { invalid, notFound, precondition } from './errors.js';

/** Where a webhook lives: the workspace, or a project. */
export interface WebhookScope {
  project?: string;
}

export interface WebhookBody {
  url: string;
  format: WebhookFormat;
  events: WebhookEvent[];
  /** Omitted keeps the current secret; null removes it. */
  secret?: string | null;
}

const MAX_WEBHOOKS = 50;

export const webhookView = (scope: WebhookScope, { secret, ...hook }: Webhook) => ({ ...hook, ...scope, secretSet: secret !== undefined });

async function authorize(deps: Deps, actor: Actor, scope: WebhookScope): Promise<void> {
  if (scope.project === undefined) return authorizeWorkspace(actor, 'webhooks.manage');
  return authorizeProjectSettings(deps.ledger, await deps.config.read(), actor, scope.project, deps.clock.now());
}

const hooksIn = (state: Readonly<State>, scope: WebhookScope) =>
  scope.project === undefined ? (state.webhooks ?? []) : (findProject(state, scope.project).webhooks ?? []);

export async function listWebhooks(deps: Deps, actor: Actor, scope: WebhookScope) {
  await authorize(deps, actor, scope);
  return hooksIn(await deps.config.read(), scope).map((h) => webhookView(scope, h));
}

export async function putWebhook(deps: Deps, actor: Actor, scope: WebhookScope, id: string, body: WebhookBody) {
  await authorize(deps, actor, scope);
  const { secret, ...fields } = body;
  // The host only: the path of a Slack or Teams webhook URL is itself a credential.
  const detail: Record<string, unknown> = { webhook: id, host: new URL(body.url).host, format: body.format, events: body.events };
  let saved!: Webhook;
  await changeConfig(deps, actor, { action: 'webhook.saved', project: scope.project, detail }, (draft) => {
    const refused = urlRefusal(body.url, draft.webhookDelivery.allowLoopback);
    if (refused) throw invalid(`url ${refused}`, { field: 'url' });
    const hooks = hooksIn(draft, scope);
    const current = hooks.find((h) => h.id === id);
    if (!current && hooks.length >= MAX_WEBHOOKS) throw invalid(`A ${scope.project ? 'project' : 'workspace'} has at most ${MAX_WEBHOOKS} webhooks`);
    const kept = secret === undefined ? current?.secret : (secret ?? undefined);
    saved = { id, ...fields, ...(kept === undefined ? {} : { secret: kept }) };
    const next = current ? hooks.map((h) => (h === current ? saved : h)) : [...hooks, saved];
    if (scope.project === undefined) draft.webhooks = next;
    else draft.projects.find((p) => p.id === scope.project)!.webhooks = next;
    detail.secretSet = saved.secret !== undefined;
  });
  return webhookView(scope, saved);
}

export async function deleteWebhook(deps: Deps, actor: Actor, scope: WebhookScope, id: string): Promise<void> {
  await authorize(deps, actor, scope);
  await changeConfig(deps, actor, { action: 'webhook.deleted', project: scope.project, detail: { webhook: id } }, (draft) => {
    const hooks = hooksIn(draft, scope);
    if (!hooks.some((h) => h.id === id)) throw notFound(`No webhook "${id}" in ${scope.project ? `project "${scope.project}"` : 'the workspace'}`);
    const next = hooks.filter((h) => h.id !== id);
    if (scope.project === undefined) draft.webhooks = next;
    else draft.projects.find((p) => p.id === scope.project)!.webhooks = next;
  });
}

export const deliveryView = (d: WebhookDelivery) => ({
  id: d.id,
  webhook: d.webhook,
  event: d.message.type,
  project: d.message.project,
  requestId: d.message.requestId,
  text: d.message.text,
  status: d.status,
  attempts: d.attempts,
  nextAttemptTime: d.status === 'pending' ? iso(d.nextAttemptTime) : undefined,
  lastError: d.lastError,
  createTime: iso(d.createTime),
  updateTime: iso(d.updateTime),
});

export async function listDeliveries(deps: Deps, actor: Actor, filter: { status?: DeliveryStatus; limit: number }) {
  authorizeWorkspace(actor, 'webhook-deliveries.manage');
  return (await deps.webhooks.outbox.list(filter)).map(deliveryView);
}

/**
 * Sends a failed delivery again, with its attempts reset. Being the webhook's oldest pending
 * delivery, it goes out before the newer ones still queued (those already sent stay sent).
 */
export async function retryDelivery(deps: Deps, actor: Actor, id: string) {
  authorizeWorkspace(actor, 'webhook-deliveries.manage');
  const d = await deps.webhooks.outbox.get(id);
  if (!d) throw notFound(`No webhook delivery ${id}`);
  if (d.status !== 'failed') throw precondition(`Delivery ${id} is ${d.status}; only failed deliveries are retried`);
  if (!findWebhook(await deps.config.read(), d.webhook)) throw precondition(`The webhook "${d.webhook.id}" of delivery ${id} was removed; nothing to send it to`);
  const now = deps.clock.now();
  const next: WebhookDelivery = { ...d, status: 'pending', attempts: 0, nextAttemptTime: now, updateTime: now };
  await deps.audit.append({ actor: actor.id, clientAddress: actor.clientAddress, userAgent: actor.userAgent, action: 'webhook.retried', project: d.message.project, detail: { delivery: id, webhook: d.webhook.id } }, now);
  await deps.webhooks.outbox.update(next);
  deps.webhooks.kick();
  return deliveryView(next);
}
