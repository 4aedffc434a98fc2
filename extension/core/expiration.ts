// Expiration choices for a request, bounded by the workspace's min/max grant duration.
import { formatDuration, parseDuration } from '../../contract/duration.js';

const PRESETS = ['15m', '1h', '4h', '1d', '7d'];

export interface ExpirationBounds {
  minGrantDuration: string;
  maxGrantDuration: string;
}

export function expirationPresets(bounds: ExpirationBounds): string[] {
  const min = parseDuration(bounds.minGrantDuration) ?? 0;
  const max = parseDuration(bounds.maxGrantDuration) ?? Infinity;
  const inside = PRESETS.filter((p) => {
    const ms = parseDuration(p)!;
    return ms >= min && ms <= max;
  });
  return inside.length > 0 ? inside : [formatDuration(min)];
}

/** Why a custom expiration is not acceptable, or undefined when it is. */
export function expirationProblem(value: string, bounds: ExpirationBounds): string | undefined {
  const ms = parseDuration(value.trim());
  if (ms === undefined) return 'Use a number and a unit: 30m, 2h or 3d.';
  if (ms < (parseDuration(bounds.minGrantDuration) ?? 0)) return `At least ${bounds.minGrantDuration}.`;
  if (ms > (parseDuration(bounds.maxGrantDuration) ?? Infinity)) return `At most ${bounds.maxGrantDuration}.`;
  return undefined;
}
