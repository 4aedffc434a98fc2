// Turns the service's expiring events into reminder text and the actions offered with it.
import type { AccessSnapshot } from './access-state.js';
import type { Grant } from './api-types.js';
import { isRecord } from './api-errors.js';
import type { ServiceEvent } from './event-stream.js';
import { grantName } from './grant-labels.js';
import { formatTimeLeft } from './time-left.js';

export type Reminder =
  | { kind: 'grant'; message: string; grant: Grant }
  | { kind: 'role'; message: string; project: string; role: string };

export const EXPIRING_EVENTS = new Set(['grant.expiring', 'role.expiring']);

/**
 * The reminder for a service event, or undefined when there is nothing worth saying.
 *
 * The service sends `*.expiring` once `reminderBefore` (15m by default) ahead of expiry — for
 * access shorter than that, the moment it starts. A reminder is shown only once the access has
 * been in use at least as long as it has left; earlier it would interrupt someone who has just
 * been given access with what the status bar's countdown already says. So a grant shorter than
 * twice `reminderBefore` gets no reminder, and longer ones get it `reminderBefore` ahead.
 */
export function reminderFor(event: ServiceEvent, known: Pick<AccessSnapshot, 'grants' | 'myRequests'>, now: number): Reminder | undefined {
  const data = isRecord(event.data) ? event.data : {};
  if (event.type === 'grant.expiring') {
    const sent = isRecord(data.grant) ? (data.grant as unknown as Grant) : undefined;
    const id = sent?.id ?? (typeof data.grantId === 'string' ? data.grantId : typeof data.id === 'string' ? data.id : undefined);
    const grant = known.grants.find((g) => g.id === id) ?? sent;
    if (!grant) return undefined;
    const expireTime = grant.expireTime ?? stringField(data, 'expireTime');
    // Not active yet in what we loaded means it has only just been activated.
    if (tooEarly(grant.activateTime ?? now, expireTime, now)) return undefined;
    const left = expireTime ? formatTimeLeft(expireTime, now) : 'soon';
    const name = grantName(grant);
    return { kind: 'grant', grant, message: `Your ${name} on ${grant.databases.join(', ')} expires ${left === 'expired' ? 'now' : `soon (${left})`}.` };
  }
  if (event.type === 'role.expiring') {
    const role = stringField(data, 'role') ?? 'role';
    const project = stringField(data, 'project') ?? '';
    const expireTime = stringField(data, 'expireTime');
    // Roles carry no start time; the request that granted one was decided when it started.
    const granted = known.myRequests.find((r) => r.bindingId !== undefined && r.bindingId === data.bindingId)?.decideTime;
    if (granted && tooEarly(granted, expireTime, now)) return undefined;
    const left = expireTime ? formatTimeLeft(expireTime, now) : 'soon';
    return { kind: 'role', role, project, message: `Your role ${role}${project ? ` in ${project}` : ''} expires ${left === 'expired' ? 'now' : `soon (${left})`}.` };
  }
  return undefined;
}

/** True while access started at `start` has been in use for less time than it has left. */
function tooEarly(start: string | number, expireTime: string | undefined, now: number): boolean {
  if (!expireTime) return false;
  const used = now - (typeof start === 'number' ? start : Date.parse(start));
  return used < Date.parse(expireTime) - now;
}

function stringField(data: Record<string, unknown>, key: string): string | undefined {
  return typeof data[key] === 'string' ? (data[key] as string) : undefined;
}
