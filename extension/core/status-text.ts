// The status bar's one line: the access that runs out first.
import type { AccessSnapshot } from './access-state.js';
import { capitalize, grantName } from './grant-labels.js';
import { formatTimeLeft, nearestExpiry, type Expiring } from './time-left.js';

export interface StatusText {
  /** "JIT 23m left" */
  text: string;
  /** "Grant #a1b2c3 on demo/hr expires first (23m left)" */
  tooltip: string;
  /** When a role binding its holder may revoke runs out first: clicking offers to revoke it. */
  bindingId?: string;
}

interface RunningOut extends Expiring {
  bindingId?: string;
}

/** Everything counting down: active grants and roles with an expiry. */
export function countdowns(snapshot: AccessSnapshot): RunningOut[] {
  return [
    ...snapshot.grants
      .filter((g) => g.state === 'ACTIVE' && g.expireTime)
      .map((g) => ({ label: `${grantName(g)} on ${g.databases.join(', ')}`, expireTime: g.expireTime! })),
    ...(snapshot.me?.projects ?? []).flatMap((p) =>
      p.roles.filter((r) => r.expireTime).map((r) => ({ label: `role ${r.role} in ${p.id}`, expireTime: r.expireTime!, bindingId: r.bindingId })),
    ),
  ];
}

export function statusText(snapshot: AccessSnapshot, now: number): StatusText | undefined {
  const first = nearestExpiry(countdowns(snapshot), now);
  if (!first) return undefined;
  const left = formatTimeLeft(first.expireTime, now);
  const tooltip = `${capitalize(first.label)} expires first (${left})`;
  if (!first.bindingId) return { text: `JIT ${left}`, tooltip };
  return { text: `JIT ${left}`, tooltip: `${tooltip}. Click to revoke it.`, bindingId: first.bindingId };
}
