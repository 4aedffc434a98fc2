// Changes to the configuration state (settings, approval rules). They live in the config
// store, not the ledger, so they need no ledger transaction: the mutation is applied to the
// draft first (a refusal there changes and audits nothing), then audited, then written — the
// audit entry always precedes the new state taking effect.
import type { AuditEvent } from '../audit/audit-log.js';
import type { State } from '../store/config-store.js';
import type { Actor, Deps } from './deps.js';

export async function changeConfig(
  deps: Deps,
  actor: Actor,
  event: Pick<AuditEvent, 'action' | 'project' | 'detail'>,
  mutate: (draft: State) => void,
): Promise<Readonly<State>> {
  const state = await deps.config.update(async (draft) => {
    mutate(draft);
    await deps.audit.append({ actor: actor.id, clientAddress: actor.clientAddress, userAgent: actor.userAgent, ...event }, deps.clock.now());
  });
  // Settings such as reminderBefore move the expiry scheduler's next deadline.
  deps.onCommit?.();
  return state;
}
