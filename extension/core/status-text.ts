// The status bar's one line: the access that runs out first.
import type { AccessSnapshot } from './access-state.js';
import { capitalize, grantName } from './grant-labels.js';
import { formatTimeLeft, nearestExpiry, type Expiring } from './time-left.js';

export interface StatusText {
  /** "JIT 23m left" */
  text: string;
  /** "Grant #a1b2c3 on demo/hr expires first (23m left)" */
  tooltip: string;
}

/** Everything counting down: active grants and roles with an expiry. */
export function countdowns(snapshot: AccessSnapshot): Expiring[] {
  return [
    ...snapshot.grants
      .filter((g) => g.state === 'ACTIVE' && g.expireTime)
      .map((g) => ({ label: `${grantName(g)} on ${g.databases.join(', ')}`, expireTime: g.expireTime! })),
    ...(snapshot.me?.projects ?? []).flatMap((p) =>
      p.roles.filter((r) => r.expireTime).map((r) => ({ label: `role ${r.role} in ${p.id}`, expireTime: r.expireTime! })),
    ),
  ];
}

export function statusText(snapshot: AccessSnapshot, now: number): StatusText | undefined {
  const first = nearestExpiry(countdowns(snapshot), now);
  if (!first) return undefined;
  const left = formatTimeLeft(first.expireTime, now);
  return { text: `JIT ${left}`, tooltip: `${capitalize(first.label)} expires first (${left})` };
}
