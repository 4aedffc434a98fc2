// Human-readable countdowns: "45s left", "23m left", "1h 5m left", "2d 3h left", "expired".

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export function formatTimeLeft(expireTime: string | number, now: number): string {
  const ms = msLeft(expireTime, now);
  if (!(ms > 0)) return 'expired';
  if (ms < MINUTE) return `${Math.ceil(ms / 1000)}s left`;
  if (ms < HOUR) return `${Math.floor(ms / MINUTE)}m left`;
  if (ms < DAY) return joinUnits(Math.floor(ms / HOUR), 'h', Math.floor((ms % HOUR) / MINUTE), 'm');
  return joinUnits(Math.floor(ms / DAY), 'd', Math.floor((ms % DAY) / HOUR), 'h');
}

/**
 * Milliseconds until formatTimeLeft(expireTime, now) reads differently, or undefined once it
 * reads "expired" for good. Kept beside formatTimeLeft: it mirrors its rounding (seconds round
 * up, minutes and hours round down).
 */
export function msUntilTextChanges(expireTime: string | number, now: number): number | undefined {
  const ms = msLeft(expireTime, now);
  if (!(ms > 0)) return undefined;
  if (ms < MINUTE) return ms % 1000 || 1000;
  return (ms % (ms < DAY ? MINUTE : HOUR)) + 1;
}

function msLeft(expireTime: string | number, now: number): number {
  return (typeof expireTime === 'number' ? expireTime : Date.parse(expireTime)) - now;
}

function joinUnits(big: number, bigUnit: string, small: number, smallUnit: string): string {
  return small > 0 ? `${big}${bigUnit} ${small}${smallUnit} left` : `${big}${bigUnit} left`;
}

export interface Expiring {
  label: string;
  expireTime: string;
}

/** The soonest of the given expiries still in the future. */
export function nearestExpiry<T extends Expiring>(items: readonly T[], now: number): T | undefined {
  return items
    .filter((i) => Date.parse(i.expireTime) > now)
    .sort((a, b) => Date.parse(a.expireTime) - Date.parse(b.expireTime))[0];
}
