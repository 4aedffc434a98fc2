// Why an export that was streaming stopped: the service cuts an export the moment its grant
// is revoked or expires, and the download only sees the connection end. The grant's state
// afterwards says which.
import type { Grant } from './api-types.js';
import { grantName } from './grant-labels.js';

/** The reason to show for an export of `grant` that failed mid-stream, or undefined if it still held. */
export function exportStopReason(grant: Pick<Grant, 'id' | 'state' | 'expireTime' | 'revokedBy'>, now: number): string | undefined {
  const name = grantName(grant);
  if (grant.state === 'REVOKED') return `The export stopped: ${name} was revoked${grant.revokedBy ? ` by ${grant.revokedBy}` : ''} while it downloaded. The partial file was removed.`;
  if (grant.state === 'EXPIRED' || (grant.expireTime !== undefined && Date.parse(grant.expireTime) <= now)) {
    return `The export stopped: ${name} expired while it downloaded. The partial file was removed; request access again to export.`;
  }
  return undefined;
}
