// Webhooks: chat and HTTP endpoints told about requests, grants and roles. The configuration
// file and the API carry the same fields; the API never returns a secret, only whether one is set.
import { z } from 'zod';
import { durationString } from './settings.js';
import type { EventType } from './events.js';

export const WEBHOOK_FORMATS = ['slack', 'teams', 'json'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

/** The events a webhook may ask for: the ones a channel of people acts on. */
export const WEBHOOK_EVENTS = [
  'request.created',
  'request.approved',
  'request.rejected',
  'grant.expiring',
  'grant.expired',
  'grant.revoked',
  'role.expiring',
  'role.expired',
  'role.revoked',
] as const satisfies readonly EventType[];
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const WEBHOOK_ID = /^[a-zA-Z0-9_-]{1,64}$/;

export const webhookUrl = z
  .string()
  .max(2000)
  .refine((s) => URL.canParse(s) && ['http:', 'https:'].includes(new URL(s).protocol), 'must be an http:// or https:// URL');

export const webhookFields = {
  url: webhookUrl,
  format: z.enum(WEBHOOK_FORMATS),
  events: z.array(z.enum(WEBHOOK_EVENTS)).min(1, 'must name at least one event').max(WEBHOOK_EVENTS.length),
  /** Signs each delivery (X-JIT-Signature); 16 characters at least, so it cannot be guessed. */
  secret: z.string().min(16, 'must be at least 16 characters').max(512).optional(),
};

export const webhookSchema = z.object({ id: z.string().regex(WEBHOOK_ID, 'must be 1-64 letters, digits, "_" or "-"'), ...webhookFields }).strict();
export type Webhook = z.infer<typeof webhookSchema>;

export const webhookDeliverySchema = z
  .object({
    /**
     * Links in messages point here, followed by "/requests/<id>". The default opens the request
     * in VS Code through the extension; a web front end's URL works as well.
     */
    linkBase: z.string().url().default('vscode://jit-access.jit-access'),
    /** Targets on loopback (127.0.0.0/8, ::1, localhost) are refused unless this is on: tests and local receivers only. */
    allowLoopback: z.boolean().default(false),
    /** Attempts per delivery before it is given up and listed as failed. */
    maxAttempts: z.number().int().min(1).max(20).default(8),
    timeout: durationString.default('10s'),
  })
  .strict();
export type WebhookDeliverySettings = z.infer<typeof webhookDeliverySchema>;
