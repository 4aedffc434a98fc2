// Time-boxed role bindings after their request: the project's reviewers list them, and the
// holder, a project owner or a workspace admin ends one early. Ending it takes effect at once
// for direct queries and exports, a run in flight included (they re-check the role).
import { authorizeProjectReview, authorizeRevoke, reviewersOf } from './authorization.js';
import { approvedBy } from './approved-by.js';
import { iso } from './clock.js';
import { change } from './change.js';
import type { Actor, Deps } from './deps.js';
import { notFound, precondition } from './errors.js';
import type { BindingState, RoleBinding } from './types.js';

export interface ReviewedBinding {
  binding: RoleBinding;
  approvers: string[];
}

async function withApprovers(deps: Deps, binding: RoleBinding): Promise<ReviewedBinding> {
  return { binding, approvers: await approvedBy(deps.ledger, binding.requestId) };
}

export async function listProjectBindings(deps: Deps, actor: Actor, project: string, filter: { state?: BindingState; user?: string }) {
  await authorizeProjectReview(deps.ledger, await deps.config.read(), actor, project, deps.clock.now(), 'role bindings');
  const bindings = await deps.ledger.listBindings({ project, state: filter.state, user: filter.user });
  return Promise.all(bindings.map((b) => withApprovers(deps, b)));
}

export async function revokeBinding(deps: Deps, actor: Actor, id: string, reason?: string): Promise<ReviewedBinding> {
  const config = await deps.config.read();
  const binding = await change(deps, async (tx, fx) => {
    const current = await tx.getBinding(id);
    if (!current) throw notFound(`Role binding "${id}" does not exist`);
    const now = deps.clock.now();
    await authorizeRevoke(tx, config, actor, { kind: 'role', binding: current }, now);
    if (current.state === 'ACTIVE' && now >= current.expireTime) throw precondition(`Role binding ${id} already expired at ${iso(current.expireTime)}`);
    if (current.state !== 'ACTIVE') throw precondition(`Role binding ${id} is ${current.state.toLowerCase()}, not active; only active roles can be revoked`);
    current.state = 'REVOKED';
    current.revokeTime = now;
    current.revokedBy = actor.id;
    await tx.putBinding(current);
    fx.audit({
      actor: actor.id, action: 'role.revoke', project: current.project, bindingId: id, requestId: current.requestId,
      clientAddress: actor.clientAddress, userAgent: actor.userAgent, detail: { user: current.user, role: current.role, reason },
    });
    fx.emit([current.user, ...(await reviewersOf(tx, config, current.project, now))], {
      type: 'role.revoked',
      data: { id, project: current.project, role: current.role, user: current.user, by: actor.id, reason },
    });
    return current;
  });
  return withApprovers(deps, binding);
}
