// Every path by which data leaves the service — running a grant, a direct query by role, an
// export — goes through here: the approved (or gated) statement on a read-only engine
// session scoped to what the caller may see (the engine masks), and an audit entry appended
// before the first row leaves.
import { parseDuration } from '../../contract/duration.js';
import type { AuditEvent } from '../audit/audit-log.js';
import { openEncoded, readAllEncoded, rowsIn, type Rows } from '../engines/cursor.js';
import type { EncodedRows } from '../engines/encoded-rows.js';
import { EngineError, type Cell, type Engine, type EngineColumn, type EngineCursor, type RunLimits, type RunScope } from '../engines/engine.js';
import { CONTENT_TYPES, serialize, type ExportFormat } from '../export/formats.js';
import { head, isTextFormat, tail } from '../export/row-text.js';
import type { State } from '../store/config-store.js';
import type { LedgerReads } from '../store/ledger.js';
import { findProject } from './access.js';
import { authorizeDirect, directRole, requireDirectRole, type DirectAction } from './authorization.js';
import { iso } from './clock.js';
import { change } from './change.js';
import type { Actor, Deps } from './deps.js';
import { DomainError, invalid, precondition } from './errors.js';
import type { Admission } from './fair-share.js';
import { usableGrant } from './grants.js';
import { runScope } from './reads.js';

export interface RunResult {
  columns: { name: string; type: string; masked: boolean }[];
  /** The rows as the engine encoded them: the items of the result's JSON array, in order. */
  rowsJson: Uint8Array[];
  rowCount: number;
  truncated: boolean;
  durationMs: number;
}

/** What is about to run, on whose authority, and how to re-check that authority at the end. */
interface Access {
  actor: Actor;
  database: string;
  statement: string;
  unmask: boolean;
  audit: AuditEvent;
  /** Why the authority lapsed while the statement ran, or undefined if it still holds. */
  stillAllowed(reads: LedgerReads, now: number): Promise<string | undefined>;
}

function engineFor(deps: Deps, database: string) {
  const [instance, name] = database.split('/');
  const engine = deps.engines.get(instance);
  if (!engine) throw new DomainError('UNAVAILABLE', `The database instance "${instance}" is not available`);
  return { engine, name, instance, kind: engine.kind };
}

const maskedCount = (columns: EngineColumn[]) => columns.filter((c) => c.masked).length;

/**
 * Re-checks the authority and appends the audit entry in one ledger transaction, so a revoke
 * that has returned is always seen, and data that leaves is always in the audit log.
 */
async function auditIfStillAllowed(deps: Deps, access: Access, entry: AuditEvent): Promise<void> {
  await change(deps, async (tx, fx) => {
    const why = await access.stillAllowed(tx, deps.clock.now());
    if (why) {
      fx.audit({ ...entry, outcome: 'denied', detail: { ...entry.detail, reason: why } });
      fx.failAfterCommit(precondition(why));
      return;
    }
    fx.audit(entry);
  }, { ledgerWrites: false });
}

async function auditFailure(deps: Deps, access: Access, err: unknown, durationMs: number) {
  await deps.audit.append(
    { ...access.audit, durationMs, outcome: 'error', detail: { error: err instanceof EngineError ? err.kind : err instanceof DomainError ? err.code : 'internal' } },
    deps.clock.now(),
  );
}

/**
 * Starts the statement on its engine within the workspace limits, once the instance's fair
 * queue admits it; a failure is audited. The caller releases the admission when the
 * statement's session is done with.
 */
async function onEngine<T>(
  deps: Deps,
  access: Access,
  signal: AbortSignal | undefined,
  maxRows: (workspace: State['workspace']) => number,
  start: (engine: Engine, name: string, limits: RunLimits, scope: RunScope) => Promise<T>,
) {
  const state = await deps.config.read();
  const { engine, name, instance } = engineFor(deps, access.database);
  const started = performance.now();
  const timeoutMs = parseDuration(state.workspace.queryTimeout)!;
  let admission: Admission | undefined;
  try {
    admission = await deps.fairShare.acquire(instance, access.actor.id, { slots: state.workspace.maxRunningPerInstance, perUser: state.workspace.maxRunningPerUser }, timeoutMs, signal);
    const value = await start(engine, name, { timeoutMs, maxRows: maxRows(state.workspace), signal }, runScope(state, access.database, access.unmask));
    return { value, state, started, admission };
  } catch (err) {
    admission?.release();
    await auditFailure(deps, access, err, Math.round(performance.now() - started));
    throw err;
  }
}

async function execute(deps: Deps, access: Access, signal?: AbortSignal): Promise<RunResult> {
  const { value: result, started, admission } = await onEngine(deps, access, signal, (w) => w.maxResultRows, async (engine, name, limits, scope) => {
    const { maxResultBytes } = (await deps.config.read()).workspace;
    return readAllEncoded(openEncoded(engine, name, access.statement, limits, scope, { format: 'rows' }), maxResultBytes);
  });
  admission.release();
  const durationMs = Math.round(performance.now() - started);
  const { rowCount } = result;
  await auditIfStillAllowed(deps, access, { ...access.audit, durationMs, rowCount, outcome: 'ok', detail: { ...access.audit.detail, truncated: result.truncated, truncatedBy: result.truncatedBy, masked: maskedCount(result.columns) } });
  return {
    columns: result.columns.map((c) => ({ name: c.name, type: c.type, masked: c.masked === true })),
    rowsJson: result.batches.map((b) => b.bytes),
    rowCount,
    truncated: result.truncated,
    durationMs,
  };
}

export interface ExportStream {
  filename: string;
  contentType: string;
  body: ReadableStream<Uint8Array>;
}

async function exportData(deps: Deps, access: Access, format: ExportFormat, basename: string, signal?: AbortSignal): Promise<ExportStream> {
  // Text formats are encoded by the engine, next to its driver; only XLSX is written here.
  const text = isTextFormat(format) ? format : undefined;
  const { value: cursor, state, started, admission } = await onEngine(deps, access, signal, (w) => w.maxExportRows, (engine, name, limits, scope): Promise<EngineCursor<Rows>> =>
    text ? openEncoded(engine, name, access.statement, limits, scope, { format: text }) : engine.open(name, access.statement, limits, scope),
  );
  try {
    await auditIfStillAllowed(deps, access, { ...access.audit, outcome: 'ok', detail: { ...access.audit.detail, format, phase: 'started', masked: maskedCount(cursor.columns) } });
  } catch (err) {
    await cursor.close();
    admission.release();
    throw err;
  }
  let rowCount = 0;
  let outcome: 'ok' | 'error' = 'error';
  let stoppedBecause: string | undefined;
  let finished = false;
  const done = async () => {
    if (finished) return;
    finished = true;
    try {
      await cursor.close();
    } finally {
      admission.release();
    }
    await deps.audit.append(
      { ...access.audit, action: `${access.audit.action}.finished`, rowCount, durationMs: Math.round(performance.now() - started), outcome, detail: { format, stoppedBecause } },
      deps.clock.now(),
    );
  };
  // The authority is checked again before every batch leaves: a grant revoked or expired (a
  // role lapsed) in the middle of a long export stops it there, not at its end.
  const batches = (async function* () {
    for await (const batch of cursor.batches()) {
      stoppedBecause = await access.stillAllowed(deps.ledger, deps.clock.now());
      if (stoppedBecause) throw precondition(`The export was stopped after ${rowCount} rows: ${stoppedBecause}`);
      rowCount += rowsIn(batch);
      yield batch;
    }
  })();
  const chunks = text
    ? (async function* () {
        yield head(text, cursor.columns);
        for await (const batch of batches) yield (batch as EncodedRows).bytes;
        yield tail(text, rowCount);
      })()
    : serialize(format, { columns: cursor.columns, batches: batches as AsyncIterable<Cell[][]> });
  const encoder = new TextEncoder();
  // A client that stops reading keeps its database session (engines have only a few), so
  // one that takes nothing for longer than the statement time limit is cut off: a handful of
  // stalled downloads must not starve every other run and query.
  const idleMs = parseDuration(state.workspace.queryTimeout)!;
  let idle: ReturnType<typeof setTimeout> | undefined;
  const cutOff = async (controller: ReadableStreamDefaultController<Uint8Array>) => {
    controller.error(new DomainError('DEADLINE_EXCEEDED', `The export was stopped: the client read nothing for longer than the query timeout (${state.workspace.queryTimeout})`));
    await chunks.return(undefined).catch(() => undefined);
    await done();
  };
  const body = new ReadableStream<Uint8Array>({
    // Pull-based: the next batch is read from the database only when the client has taken
    // the previous one, which is the back-pressure that keeps memory flat.
    async pull(controller) {
      clearTimeout(idle);
      try {
        // A pull that enqueues nothing is not pulled again: empty chunks (a head or tail of no text) are skipped.
        let next: IteratorResult<string | Uint8Array>;
        do next = await chunks.next();
        while (!next.done && next.value.length === 0);
        if (next.done) {
          outcome = 'ok';
          await done();
          controller.close();
        } else {
          controller.enqueue(typeof next.value === 'string' ? encoder.encode(next.value) : next.value);
          idle = setTimeout(() => void cutOff(controller), idleMs);
        }
      } catch (err) {
        await done();
        controller.error(err);
      }
    },
    async cancel() {
      clearTimeout(idle);
      await chunks.return(undefined);
      await done();
    },
  });
  return { filename: `${basename}.${format}`, contentType: CONTENT_TYPES[format], body };
}

function grantAccess(deps: Deps, actor: Actor, grant: Awaited<ReturnType<typeof usableGrant>>['grant'], database: string, action: string): Access {
  return {
    actor,
    database,
    statement: grant.statement,
    unmask: grant.unmask,
    audit: {
      actor: actor.id, action, project: grant.project, grantId: grant.id, requestId: grant.requestId,
      database, statement: grant.statement, clientAddress: actor.clientAddress, userAgent: actor.userAgent,
    },
    async stillAllowed(tx, now) {
      const current = await tx.getGrant(grant.id);
      if (current?.state !== 'ACTIVE') return `Grant ${grant.id} was ${current?.state.toLowerCase()} while the statement ran`;
      if (now >= current.expireTime!) return `Grant ${grant.id} expired at ${iso(current.expireTime!)} while the statement ran`;
      return undefined;
    },
  };
}

/** Runs `check`; a refusal is audited too, since attempts matter as much as uses. */
async function auditRefusal<T>(deps: Deps, entry: AuditEvent, check: () => Promise<T>): Promise<T> {
  try {
    return await check();
  } catch (err) {
    if (err instanceof DomainError) await deps.audit.append({ ...entry, outcome: 'denied', detail: { code: err.code, reason: err.message } }, deps.clock.now());
    throw err;
  }
}

/** The grant for a run or export. */
function grantFor(deps: Deps, actor: Actor, id: string, database: string | undefined, purpose: 'run' | 'export') {
  return auditRefusal(
    deps,
    { actor: actor.id, action: `grant.${purpose}`, grantId: id, database, clientAddress: actor.clientAddress, userAgent: actor.userAgent },
    () => usableGrant(deps, actor, id, database, purpose),
  );
}

export async function runGrant(deps: Deps, actor: Actor, id: string, database: string | undefined, signal?: AbortSignal) {
  const { grant, database: target } = await grantFor(deps, actor, id, database, 'run');
  return execute(deps, grantAccess(deps, actor, grant, target, 'grant.run'), signal);
}

export async function exportGrant(deps: Deps, actor: Actor, id: string, database: string | undefined, format: ExportFormat, signal?: AbortSignal) {
  const { grant, database: target } = await grantFor(deps, actor, id, database, 'export');
  return exportData(deps, grantAccess(deps, actor, grant, target, 'grant.export'), format, `grant-${grant.id}`, signal);
}

/** Direct access by a project role held on the database (standing, or a binding still in force). */
async function roleAccess(deps: Deps, actor: Actor, projectId: string, database: string, statement: string, action: DirectAction): Promise<Access> {
  const state = await deps.config.read();
  const project = findProject(state, projectId);
  if (!project.databases.some((d) => d.name === database)) throw invalid(`database "${database}" is not a database of project "${projectId}"`, { field: 'database' });
  const role = await requireDirectRole(deps.ledger, state, actor, projectId, database, action, deps.clock.now());
  await deps.analyzer.analyze(statement, engineFor(deps, database).kind, state.workspace.maxStatementLength);
  return {
    actor,
    database,
    statement,
    unmask: false,
    audit: {
      actor: actor.id, action, project: projectId, database, statement, clientAddress: actor.clientAddress, userAgent: actor.userAgent,
      detail: { role: role.role, roleExpireTime: role.expireTime === undefined ? undefined : iso(role.expireTime) },
    },
    async stillAllowed(tx, now) {
      return (await directRole(tx, state, actor, projectId, database, action, now)) ? undefined : `Your role on ${database} lapsed while the statement ran`;
    },
  };
}

/** Direct access, or the audited reason why not. */
function directAccess(deps: Deps, actor: Actor, project: string, database: string, statement: string, action: DirectAction) {
  return auditRefusal(
    deps,
    { actor: actor.id, action, project, database, statement, clientAddress: actor.clientAddress, userAgent: actor.userAgent },
    async () => {
      authorizeDirect(await deps.config.read(), action);
      return roleAccess(deps, actor, project, database, statement, action);
    },
  );
}

export async function queryAsRole(deps: Deps, actor: Actor, project: string, database: string, statement: string, signal?: AbortSignal) {
  return execute(deps, await directAccess(deps, actor, project, database, statement, 'project.query'), signal);
}

export async function exportAsRole(deps: Deps, actor: Actor, project: string, database: string, statement: string, format: ExportFormat, signal?: AbortSignal) {
  return exportData(deps, await directAccess(deps, actor, project, database, statement, 'project.export'), format, `${project}-export`, signal);
}
