// The events the service sends, one payload schema per event name; the types are inferred from
// them. Written with zod/mini, the one part of zod the extension may bundle (see
// scripts/client-bundles.mjs): it checks each event it reads, because a payload arrives over
// the wire from a service that may be older or newer than the extension.
import * as z from 'zod/mini';
import { PROJECT_ROLES } from './vocabulary.js';

const RequestType = z.enum(['ACCESS_GRANT', 'ROLE_GRANT']);
const Role = z.enum(PROJECT_ROLES);
const Time = z.string();

export const EVENT_SCHEMAS = {
  'request.created': z.object({ requestId: z.string(), project: z.string(), creator: z.string(), type: RequestType }),
  'request.approved': z.object({ requestId: z.string(), project: z.string(), final: z.boolean(), nextStep: z.optional(z.number()) }),
  'request.rejected': z.object({ requestId: z.string(), project: z.string(), by: z.string(), comment: z.optional(z.string()) }),
  'request.canceled': z.object({ requestId: z.string(), project: z.string() }),
  'request.expired': z.object({ requestId: z.string(), project: z.string() }),
  /** A request's current step awaits a decision the recipient may make. */
  'approval.awaiting': z.object({ requestId: z.string(), project: z.string(), type: RequestType, requester: z.string(), step: z.number(), summary: z.string() }),
  'grant.activated': z.object({ grantId: z.string(), requestId: z.string(), expireTime: Time }),
  'grant.expiring': z.object({ grantId: z.string(), project: z.string(), expireTime: Time }),
  'grant.expired': z.object({ grantId: z.string(), project: z.string() }),
  'grant.revoked': z.object({ grantId: z.string(), project: z.string(), by: z.string(), reason: z.optional(z.string()) }),
  'role.activated': z.object({ bindingId: z.string(), role: Role, project: z.string(), expireTime: Time }),
  'role.expiring': z.object({ bindingId: z.string(), role: Role, project: z.string(), expireTime: Time }),
  'role.expired': z.object({ bindingId: z.string(), role: Role, project: z.string() }),
  'role.revoked': z.object({ id: z.string(), project: z.string(), role: Role, user: z.string(), by: z.string(), reason: z.optional(z.string()) }),
};

export type EventType = keyof typeof EVENT_SCHEMAS;

export type EventPayloads = { [K in EventType]: z.infer<(typeof EVENT_SCHEMAS)[K]> };

export const EVENT_TYPES = Object.keys(EVENT_SCHEMAS) as EventType[];

/** An event as the domain emits it: the name and its payload, checked against each other. */
export type TypedEvent = { [K in EventType]: { type: K; data: EventPayloads[K] } }[EventType];

/** An event as a recipient gets it: with the id (the SSE `id:`) under which it was recorded for them. */
export type DeliveredEvent = TypedEvent & { id: string };

/** Reads an event's payload by its name: the typed event, or why it cannot be one. */
export function readEvent(type: string, data: unknown): { event: TypedEvent } | { problem: string } {
  if (!Object.hasOwn(EVENT_SCHEMAS, type)) return { problem: `unknown event "${type}"` };
  const parsed = EVENT_SCHEMAS[type as EventType].safeParse(data);
  if (!parsed.success) return { problem: `malformed "${type}" event: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'data'}: ${i.message}`).join('; ')}` };
  return { event: { type, data: parsed.data } as TypedEvent };
}
