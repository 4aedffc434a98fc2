// The webhook routes' request and response schemas (the fields are shared with the config
// file in webhooks.ts). Secrets go in, never out: a webhook says only whether it has one.
import { z } from '@hono/zod-openapi';
import { DELIVERY_STATUSES, WEBHOOK_EVENTS, WEBHOOK_FORMATS, WEBHOOK_ID, webhookFields } from './webhooks.js';

const Time = z.string().openapi({ format: 'date-time' });

export const WebhookIdParam = z.object({ id: z.string().regex(WEBHOOK_ID).openapi({ param: { name: 'id', in: 'path' }, example: 'oncall-slack' }) });

export const WebhookBody = z
  .object({
    url: webhookFields.url.clone().openapi({ example: 'https://hooks.slack.com/services/T000/B000/XXXX' }),
    format: webhookFields.format,
    events: webhookFields.events,
    secret: z
      .string()
      .min(16, 'must be at least 16 characters')
      .max(512)
      .nullable()
      .optional()
      .openapi({ description: 'Write-only: signs each delivery (X-JIT-Signature). Omit to keep the current one; null removes it.' }),
  })
  .strict()
  .openapi('WebhookBody');

export const WebhookView = z
  .object({
    id: z.string(),
    project: z.string().optional().openapi({ description: 'Absent for a workspace webhook' }),
    url: z.string(),
    format: z.enum(WEBHOOK_FORMATS),
    events: z.array(z.enum(WEBHOOK_EVENTS)),
    secretSet: z.boolean().openapi({ description: 'Whether deliveries are signed; the secret itself is never returned' }),
  })
  .openapi('Webhook');

export const DeliveryStatus = z.enum(DELIVERY_STATUSES);

export const WebhookDeliveryView = z
  .object({
    id: z.string(),
    webhook: z.object({ id: z.string(), project: z.string().optional() }),
    event: z.enum(WEBHOOK_EVENTS),
    project: z.string(),
    requestId: z.string().optional(),
    text: z.string(),
    status: DeliveryStatus,
    attempts: z.number().int(),
    nextAttemptTime: Time.optional().openapi({ description: 'When a pending delivery is tried next' }),
    lastError: z.string().optional(),
    createTime: Time,
    updateTime: Time,
  })
  .openapi('WebhookDelivery');
