// The events the service sends, one payload type per event name. Plain types with no runtime
// dependency, so the extension can import them as types only.
import type { ProjectRole } from './vocabulary.js';

type RequestType = 'ACCESS_GRANT' | 'ROLE_GRANT';

export type EventPayloads = {
  'request.created': { requestId: string; project: string; creator: string; type: RequestType };
  'request.approved': { requestId: string; project: string; final: boolean; nextStep?: number };
  'request.rejected': { requestId: string; project: string; by: string; comment?: string };
  'request.canceled': { requestId: string; project: string };
  'request.expired': { requestId: string; project: string };
  /** A request's current step awaits a decision the recipient may make. */
  'approval.awaiting': { requestId: string; project: string; type: RequestType; requester: string; step: number; summary: string };
  'grant.activated': { grantId: string; requestId: string; expireTime: string };
  'grant.expiring': { grantId: string; project: string; expireTime: string };
  'grant.expired': { grantId: string; project: string };
  'grant.revoked': { grantId: string; project: string; by: string; reason?: string };
  'role.activated': { bindingId: string; role: ProjectRole; project: string; expireTime: string };
  'role.expiring': { bindingId: string; role: ProjectRole; project: string; expireTime: string };
  'role.expired': { bindingId: string; role: ProjectRole; project: string };
  'role.revoked': { id: string; project: string; role: ProjectRole; user: string; by: string; reason?: string };
};

export type EventType = keyof EventPayloads;

export const EVENT_TYPES = [
  'request.created',
  'request.approved',
  'request.rejected',
  'request.canceled',
  'request.expired',
  'approval.awaiting',
  'grant.activated',
  'grant.expiring',
  'grant.expired',
  'grant.revoked',
  'role.activated',
  'role.expiring',
  'role.expired',
  'role.revoked',
] as const satisfies readonly EventType[];

/** An event as the domain emits it: the name and its payload, checked against each other. */
export type TypedEvent = { [K in EventType]: { type: K; data: EventPayloads[K] } }[EventType];

/** An event as a recipient gets it: with the id (the SSE `id:`) under which it was recorded for them. */
export type DeliveredEvent = TypedEvent & { id: string };
