// Running a grant: the approved statement, byte for byte, on a read-only engine session,
// audited before a single row leaves the service.
import { parseDuration } from '../config/duration.js';
import { EngineError, type EngineResult } from '../engines/engine.js';
import type { AuditEvent } from '../audit/audit-log.js';
import { iso } from './clock.js';
import { change } from './change.js';
import type { Actor, Deps } from './deps.js';
import { DomainError, precondition } from './errors.js';
import { usableGrant } from './grants.js';

export interface RunResult {
  columns: { name: string; type: string; masked: boolean }[];
  rows: EngineResult['rows'];
  rowCount: number;
  truncated: boolean;
  durationMs: number;
}

export function engineFor(deps: Deps, database: string) {
  const [instance, name] = database.split('/');
  const engine = deps.engines.get(instance);
  if (!engine) throw new DomainError('UNAVAILABLE', `The database instance "${instance}" is not available`);
  return { engine, name };
}

export async function runGrant(deps: Deps, actor: Actor, id: string, database: string | undefined, signal?: AbortSignal): Promise<RunResult> {
  const { grant, database: target } = await usableGrant(deps, actor, id, database, 'run');
  const state = await deps.config.read();
  const { engine, name } = engineFor(deps, target);
  const base: AuditEvent = {
    actor: actor.id, action: 'grant.run', project: grant.project, grantId: grant.id, requestId: grant.requestId,
    database: target, statement: grant.statement, clientAddress: actor.clientAddress, userAgent: actor.userAgent,
  };
  const started = performance.now();
  let result: EngineResult;
  try {
    result = await engine.query(name, grant.statement, {
      timeoutMs: parseDuration(state.workspace.queryTimeout)!,
      maxRows: state.workspace.maxResultRows,
      signal,
    });
  } catch (err) {
    const durationMs = Math.round(performance.now() - started);
    await deps.audit.append({ ...base, durationMs, outcome: 'error', detail: { error: err instanceof EngineError ? err.kind : 'internal' } }, deps.clock.now());
    throw err;
  }
  const durationMs = Math.round(performance.now() - started);
  const columns = result.columns.map((col) => ({ name: col.name, type: col.type, masked: false }));
  // The last check and the audit entry happen in one transaction, so a revoke that has
  // returned is always seen here, and a run that returns rows is always in the audit log.
  await change(deps, async (tx, fx) => {
    const current = await tx.getGrant(grant.id);
    const now = deps.clock.now();
    if (current?.state !== 'ACTIVE' || now >= current.expireTime!) {
      fx.audit({ ...base, durationMs, outcome: 'denied', detail: { state: current?.state } });
      fx.failAfterCommit(
        precondition(
          current?.state === 'ACTIVE'
            ? `Grant ${id} expired at ${iso(current.expireTime!)} while the statement ran`
            : `Grant ${id} was ${current?.state.toLowerCase()} while the statement ran`,
        ),
      );
      return;
    }
    fx.audit({ ...base, durationMs, rowCount: result.rows.length, outcome: 'ok', detail: { truncated: result.truncated } });
  });
  return { columns, rows: result.rows, rowCount: result.rows.length, truncated: result.truncated, durationMs };
}
