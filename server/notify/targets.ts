// Where webhooks may send. A webhook is a request the service makes from inside the network on
// an admin's say-so, so it must not reach this host's own services (loopback) unless the
// operator allows it for a local receiver, nor link-local addresses ever (cloud metadata lives
// at 169.254.169.254). Private addresses are allowed: chat servers often live there. The check
// runs on the configured name and again on each address it resolves to when sending, so a name
// that later resolves to loopback is refused too.
import { isIP } from 'node:net';
import type { Webhook, WebhookDeliverySettings } from '../../contract/webhooks.js';

type Locality = 'loopback' | 'link-local' | undefined;

function addressLocality(address: string): Locality {
  const version = isIP(address);
  if (version === 4) {
    const [a, b] = address.split('.').map(Number);
    if (a === 127 || a === 0) return 'loopback';
    return a === 169 && b === 254 ? 'link-local' : undefined;
  }
  if (version !== 6) return undefined;
  const lower = address.toLowerCase();
  if (lower === '::1' || lower === '::') return 'loopback';
  if (/^fe[89ab]/.test(lower)) return 'link-local';
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return addressLocality(dotted[1]);
  // URLs write an IPv4-mapped address in hex: [::ffff:127.0.0.1] becomes [::ffff:7f00:1].
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (!hex) return undefined;
  const [high, low] = [parseInt(hex[1], 16), parseInt(hex[2], 16)];
  return addressLocality(`${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`);
}

function hostLocality(hostname: string): Locality {
  const host = hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return 'loopback';
  return addressLocality(host);
}

const refusal = (locality: Locality, allowLoopback: boolean): string | undefined => {
  if (locality === 'link-local') return 'must not point at a link-local address';
  if (locality === 'loopback' && !allowLoopback) return 'must not point at this host (loopback) unless webhookDelivery.allowLoopback is on';
  return undefined;
};

/** Why the service must not send to this URL, or undefined. */
export const urlRefusal = (url: string, allowLoopback: boolean) => refusal(hostLocality(new URL(url).hostname), allowLoopback);

/** Why the service must not connect to this resolved address, or undefined. */
export const addressRefusal = (address: string, allowLoopback: boolean) => refusal(addressLocality(address), allowLoopback);

interface WebhookConfig {
  webhooks?: Webhook[];
  webhookDelivery: WebhookDeliverySettings;
  projects: { webhooks?: Webhook[] }[];
}

/** Reports duplicate ids within a scope and refused targets, by their path in the config. */
export function checkWebhooks(cfg: WebhookConfig, issue: (path: (string | number)[], message: string) => void): void {
  const check = (hooks: Webhook[], at: (string | number)[]) => {
    const seen = new Set<string>();
    hooks.forEach((hook, i) => {
      if (seen.has(hook.id)) issue([...at, i, 'id'], `duplicate id "${hook.id}"`);
      seen.add(hook.id);
      const why = urlRefusal(hook.url, cfg.webhookDelivery.allowLoopback);
      if (why) issue([...at, i, 'url'], why);
    });
  };
  check(cfg.webhooks ?? [], ['webhooks']);
  cfg.projects.forEach((p, pi) => check(p.webhooks ?? [], ['projects', pi, 'webhooks']));
}
