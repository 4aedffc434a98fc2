// Turns the service's expiring events into reminder text and the actions offered with it.
import type { Grant } from './api-types.js';
import { isRecord } from './api-errors.js';
import type { ServiceEvent } from './event-stream.js';
import { grantName } from './grant-labels.js';
import { formatTimeLeft } from './time-left.js';

export type Reminder =
  | { kind: 'grant'; message: string; grant: Grant }
  | { kind: 'role'; message: string; project: string; role: string };

export const EXPIRING_EVENTS = new Set(['grant.expiring', 'role.expiring']);

export function reminderFor(event: ServiceEvent, grants: readonly Grant[], now: number): Reminder | undefined {
  const data = isRecord(event.data) ? event.data : {};
  if (event.type === 'grant.expiring') {
    const sent = isRecord(data.grant) ? (data.grant as unknown as Grant) : undefined;
    const id = sent?.id ?? (typeof data.grantId === 'string' ? data.grantId : typeof data.id === 'string' ? data.id : undefined);
    const grant = grants.find((g) => g.id === id) ?? sent;
    if (!grant) return undefined;
    const expireTime = grant.expireTime ?? stringField(data, 'expireTime');
    const left = expireTime ? formatTimeLeft(expireTime, now) : 'soon';
    const name = grantName(grant);
    return { kind: 'grant', grant, message: `Your ${name} on ${grant.databases.join(', ')} expires ${left === 'expired' ? 'now' : `soon (${left})`}.` };
  }
  if (event.type === 'role.expiring') {
    const role = stringField(data, 'role') ?? 'role';
    const project = stringField(data, 'project') ?? '';
    const expireTime = stringField(data, 'expireTime');
    const left = expireTime ? formatTimeLeft(expireTime, now) : 'soon';
    return { kind: 'role', role, project, message: `Your role ${role}${project ? ` in ${project}` : ''} expires ${left === 'expired' ? 'now' : `soon (${left})`}.` };
  }
  return undefined;
}

function stringField(data: Record<string, unknown>, key: string): string | undefined {
  return typeof data[key] === 'string' ? (data[key] as string) : undefined;
}
