// Turns the service's expiring events into reminder text and the actions offered with it.
import type { AccessSnapshot } from './access-state.js';
import type { Grant, Me } from './api-types.js';
import type { EventOf } from './event-stream.js';
import { grantName } from './grant-labels.js';
import { formatTimeLeft } from './time-left.js';

export type Reminder =
  | { kind: 'grant'; message: string; grant: Grant }
  | { kind: 'role'; message: string; project: string; role: string };

/**
 * The reminder for a service event, or undefined when there is nothing worth saying.
 *
 * The service sends `*.expiring` ahead of expiry (`reminderBefore`, scaled down for short
 * access), and replays the ones a client missed while it was away. `known` must be freshly
 * loaded: a reminder is shown only while what it is about is still held and not yet expired,
 * so a replayed reminder for a grant revoked or expired since says nothing. It is also shown
 * only once the access has been in use at least as long as it has left; earlier it would
 * interrupt someone who has just been given access with what the status bar's countdown
 * already says.
 */
export function reminderFor(event: EventOf<'grant.expiring' | 'role.expiring'>, known: Pick<AccessSnapshot, 'grants' | 'myRequests' | 'me'>, now: number): Reminder | undefined {
  if (event.type === 'grant.expiring') {
    const grant = known.grants.find((g) => g.id === event.data.grantId);
    if (!grant || grant.state !== 'ACTIVE' || !grant.expireTime || !stillAhead(grant.expireTime, now)) return undefined;
    if (tooEarly(grant.activateTime ?? now, grant.expireTime, now)) return undefined;
    return { kind: 'grant', grant, message: `Your ${grantName(grant)} on ${grant.databases.join(', ')} expires soon (${formatTimeLeft(grant.expireTime, now)}).` };
  }
  const { role, project, expireTime, bindingId } = event.data;
  if (!stillAhead(expireTime, now) || !holdsRole(known.me, event.data)) return undefined;
  // Roles carry no start time; the request that granted one was decided when it started.
  const granted = known.myRequests.find((r) => r.bindingId !== undefined && r.bindingId === bindingId)?.decideTime;
  if (granted && tooEarly(granted, expireTime, now)) return undefined;
  return { kind: 'role', role, project, message: `Your role ${role} in ${project} expires soon (${formatTimeLeft(expireTime, now)}).` };
}

/** Whether `me` still lists the time-boxed role: by binding id where the service gives one, else by role and expiry. */
function holdsRole(me: Me | undefined, held: { project: string; role: string; expireTime: string; bindingId?: string }): boolean {
  const roles = me?.projects.find((p) => p.id === held.project)?.roles ?? [];
  return roles.some((r) => (r.bindingId !== undefined && held.bindingId !== undefined ? r.bindingId === held.bindingId : r.role === held.role && r.expireTime === held.expireTime));
}

function stillAhead(expireTime: string, now: number): boolean {
  return Date.parse(expireTime) > now;
}

/** True while access started at `start` has been in use for less time than it has left. */
function tooEarly(start: string | number, expireTime: string, now: number): boolean {
  const used = now - (typeof start === 'number' ? start : Date.parse(start));
  return used < Date.parse(expireTime) - now;
}
