// Grants after their request: reading them, revoking them, and the expiry check at the
// instant of use that every data operation goes through.
import { authorizeGrantExport, authorizeGrantUse, authorizeGrantView, authorizeProjectReview, authorizeRevoke } from './authorization.js';
import { parseDuration } from '../../contract/duration.js';
import { approvedBy } from './approved-by.js';
import { iso } from './clock.js';
import { change } from './change.js';
import type { Actor, Deps } from './deps.js';
import { invalid, notFound, precondition } from './errors.js';
import { expireGrant } from './expiry.js';
import type { Grant, GrantState } from './types.js';
import { usageOf } from './usage.js';

export async function getGrant(deps: Deps, actor: Actor, id: string): Promise<Grant> {
  const grant = await deps.ledger.getGrant(id);
  if (!grant) throw notFound(`Grant "${id}" does not exist`);
  await authorizeGrantView(deps.ledger, await deps.config.read(), actor, grant, deps.clock.now());
  return grant;
}

export async function listOwnGrants(deps: Deps, actor: Actor, state?: GrantState) {
  return deps.ledger.listGrants({ requester: actor.id, state });
}

export interface ProjectGrantFilter {
  state?: GrantState;
  user?: string;
  /** Only grants that cover this database. */
  database?: string;
  /** Only ACTIVE grants that expire within this duration from now. */
  expiringWithin?: string;
}

/** A project's grants as its reviewers see them: with who approved each and how it was used. */
export async function listProjectGrants(deps: Deps, actor: Actor, project: string, filter: ProjectGrantFilter) {
  const now = deps.clock.now();
  await authorizeProjectReview(deps.ledger, await deps.config.read(), actor, project, now, 'grants');
  const within = filter.expiringWithin === undefined ? undefined : parseDuration(filter.expiringWithin)!;
  const expiring = (g: Grant) => within === undefined || (g.state === 'ACTIVE' && g.expireTime! > now && g.expireTime! <= now + within);
  const grants = (await deps.ledger.listGrants({ project, state: filter.state, requester: filter.user })).filter(
    (g) => (filter.database === undefined || g.databases.includes(filter.database)) && expiring(g),
  );
  const usage = await usageOf(deps.audit, grants);
  return Promise.all(grants.map(async (grant) => ({ grant, usage: usage.get(grant.id)!, approvers: await approvedBy(deps.ledger, grant.requestId) })));
}

export async function revokeGrant(deps: Deps, actor: Actor, id: string, reason?: string) {
  const config = await deps.config.read();
  return change(deps, async (tx, fx) => {
    const grant = await tx.getGrant(id);
    if (!grant) throw notFound(`Grant "${id}" does not exist`);
    const now = deps.clock.now();
    await authorizeRevoke(tx, config, actor, { kind: 'grant', grant }, now);
    if (grant.state === 'ACTIVE' && now >= grant.expireTime!) throw precondition(`Grant ${id} already expired at ${iso(grant.expireTime!)}`);
    if (grant.state !== 'ACTIVE') throw precondition(`Grant ${id} is ${grant.state.toLowerCase()}, not active; only active grants can be revoked`);
    grant.state = 'REVOKED';
    grant.revokeTime = now;
    grant.revokedBy = actor.id;
    await tx.putGrant(grant);
    fx.audit({ actor: actor.id, action: 'grant.revoked', project: grant.project, grantId: id, requestId: grant.requestId, clientAddress: actor.clientAddress, userAgent: actor.userAgent, detail: { reason } });
    fx.emit([grant.requester], { type: 'grant.revoked', data: { grantId: id, project: grant.project, by: actor.id, reason } });
    return grant;
  });
}

/**
 * The grant the actor may use right now for `database`, or an error saying why not. Expiry is
 * exact: at or after expireTime the grant is expired here and now (and recorded so).
 */
export async function usableGrant(deps: Deps, actor: Actor, id: string, database: string | undefined, purpose: 'run' | 'export') {
  const grant = await deps.ledger.getGrant(id);
  if (!grant) throw notFound(`Grant "${id}" does not exist`);
  authorizeGrantUse(actor, grant);
  const now = deps.clock.now();
  if (grant.state === 'ACTIVE' && now >= grant.expireTime!) {
    await expireGrant(deps, grant, now);
    throw precondition(`Grant ${id} expired at ${iso(grant.expireTime!)}; request access again`);
  }
  if (grant.state === 'PENDING') throw precondition(`Grant ${id} is still waiting for approval`);
  if (grant.state !== 'ACTIVE') throw precondition(`Grant ${id} is ${grant.state.toLowerCase()}; request access again`);
  if (purpose === 'export') authorizeGrantExport(grant);
  const target = database ?? grant.databases[0];
  if (!grant.databases.includes(target)) throw invalid(`Grant ${id} does not cover database "${target}"; it covers ${grant.databases.join(', ')}`, { field: 'database' });
  return { grant, database: target };
}
