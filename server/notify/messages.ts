// What each event tells a channel, in one line a person reads, with the request it links to.
// Built after the change committed, from the ledger as it then stands.
import type { TypedEvent } from '../../contract/events.js';
import { WEBHOOK_EVENTS, type WebhookEvent } from '../../contract/webhooks.js';
import type { LedgerReads } from '../store/ledger.js';
import type { WebhookMessage } from '../store/webhook-outbox.js';

type WebhookTypedEvent = Extract<TypedEvent, { type: WebhookEvent }>;

export const isWebhookEvent = (e: TypedEvent): e is WebhookTypedEvent => (WEBHOOK_EVENTS as readonly string[]).includes(e.type);

const quoted = (text: string | undefined) => (text ? `: "${text}"` : '');

async function describe(ledger: LedgerReads, e: WebhookTypedEvent): Promise<{ text: string; requestId?: string }> {
  const at = `in ${e.data.project}`;
  switch (e.type) {
    case 'request.created':
    case 'request.approved':
    case 'request.rejected': {
      const r = await ledger.getRequest(e.data.requestId);
      const of = `request ${e.data.requestId} by ${r?.creator ?? 'someone'} ${at}`;
      const base = { requestId: e.data.requestId };
      if (e.type === 'request.rejected') return { ...base, text: `${e.data.by} rejected ${of}${quoted(e.data.comment)}` };
      if (e.type === 'request.approved') {
        const approver = r?.steps.filter((s) => s.decision === 'APPROVED').at(-1)?.approver ?? 'an approver';
        const step = e.data.final ? '' : `, step ${e.data.nextStep! + 1} awaits`;
        return { ...base, text: `${approver} approved ${of}${step}` };
      }
      const what = !r
        ? 'access'
        : r.type === 'ROLE_GRANT'
          ? `the role ${r.payload.role} on ${r.payload.databases.join(', ')} for ${r.payload.duration}`
          : `access to ${r.payload.databases.join(', ')} for ${r.payload.duration}`;
      return { ...base, text: `${e.data.creator} asked for ${what} ${at} (request ${e.data.requestId})${quoted(r?.payload.reason)}` };
    }
    case 'grant.expiring':
    case 'grant.expired':
    case 'grant.revoked': {
      const g = await ledger.getGrant(e.data.grantId);
      const grant = `${g?.requester ?? 'a'}'s access grant ${e.data.grantId} ${at}`;
      const base = { requestId: g?.requestId };
      if (e.type === 'grant.expiring') return { ...base, text: `${grant} expires at ${e.data.expireTime}` };
      if (e.type === 'grant.expired') return { ...base, text: `${grant} expired` };
      return { ...base, text: `${e.data.by} revoked ${grant}${quoted(e.data.reason)}` };
    }
    case 'role.expiring':
    case 'role.expired': {
      const b = await ledger.getBinding(e.data.bindingId);
      const role = `${b?.user ?? 'a'}'s role ${e.data.role} ${at}`;
      const base = { requestId: b?.requestId };
      return { ...base, text: e.type === 'role.expiring' ? `${role} expires at ${e.data.expireTime}` : `${role} expired` };
    }
    case 'role.revoked': {
      const b = await ledger.getBinding(e.data.id);
      return { requestId: b?.requestId, text: `${e.data.by} revoked ${e.data.user}'s role ${e.data.role} ${at}${quoted(e.data.reason)}` };
    }
  }
}

export async function webhookMessage(ledger: LedgerReads, e: WebhookTypedEvent, time: number): Promise<WebhookMessage> {
  return { type: e.type, project: e.data.project, time, data: e.data, ...(await describe(ledger, e)) };
}
