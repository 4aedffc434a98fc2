// The body each format gets: Slack's incoming-webhook shape (text plus blocks), a Teams
// connector MessageCard, or the event itself as JSON. Each carries a link to the request.
import type { WebhookEvent, WebhookFormat } from '../../contract/webhooks.js';
import type { WebhookDelivery } from '../store/webhook-outbox.js';

const TITLES: Record<WebhookEvent, string> = {
  'request.created': 'Access requested',
  'request.approved': 'Request approved',
  'request.rejected': 'Request rejected',
  'grant.expiring': 'Grant expiring',
  'grant.expired': 'Grant expired',
  'grant.revoked': 'Grant revoked',
  'role.expiring': 'Role expiring',
  'role.expired': 'Role expired',
  'role.revoked': 'Role revoked',
};

/** Slack reads &, < and > in text as markup. */
const slackEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export const requestLink = (linkBase: string, requestId: string) => `${linkBase.replace(/\/+$/, '')}/requests/${encodeURIComponent(requestId)}`;

export function renderPayload(format: WebhookFormat, delivery: WebhookDelivery, linkBase: string): string {
  const m = delivery.message;
  const link = m.requestId === undefined ? undefined : requestLink(linkBase, m.requestId);
  const title = TITLES[m.type];
  if (format === 'slack') {
    const text = `*${title}*: ${slackEscape(m.text)}`;
    const open = link && `<${link}|Open request ${slackEscape(m.requestId!)}>`;
    return JSON.stringify({
      text: open ? `${text} ${open}` : text,
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text } },
        ...(open ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: open }] }] : []),
      ],
    });
  }
  if (format === 'teams') {
    return JSON.stringify({
      '@type': 'MessageCard',
      '@context': 'https://schema.org/extensions',
      summary: `${title}: ${m.text}`,
      title,
      text: m.text,
      potentialAction: link ? [{ '@type': 'OpenUri', name: 'Open request', targets: [{ os: 'default', uri: link }] }] : [],
    });
  }
  return JSON.stringify({
    delivery: delivery.id,
    event: m.type,
    time: new Date(m.time).toISOString(),
    project: m.project,
    text: m.text,
    data: m.data,
    ...(m.requestId === undefined ? {} : { requestId: m.requestId, link }),
  });
}
