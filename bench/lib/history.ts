// Writes a believable history straight into a data dir — the ledger through its own API in
// one transaction, the audit log as a valid hash chain — instead of replaying it over HTTP,
// which would take hours at 100,000 grants.
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { GENESIS_HASH, hashEntry, type AuditEvent } from '../../server/audit/audit-log.js';
import type { ChainPoint } from '../../server/audit/chain.js';
import { writeCheckpoint } from '../../server/audit/start-check.js';
import type { AccessRequest, Grant, GrantState, RequestStatus } from '../../server/domain/types.js';
import { openSqliteLedger } from '../../server/store/sqlite-ledger.js';
import { PROJECT } from './fixture.js';
import { database } from './workflow.js';

const DAY = 86_400_000;
const USERS = Array.from({ length: 20 }, (_, i) => (i === 0 ? 'alice' : `user${i}`));
// Where finished grants end up, in proportion; a few stay ACTIVE so the scheduler has work.
const ENDINGS: [GrantState, RequestStatus, number][] = [
  ['EXPIRED', 'APPROVED', 70],
  ['REVOKED', 'APPROVED', 14],
  ['REJECTED', 'REJECTED', 10],
  ['CANCELED', 'CANCELED', 5],
  ['ACTIVE', 'APPROVED', 1],
];
const ENDING_WHEEL = ENDINGS.flatMap(([g, r, weight]) => Array.from({ length: weight }, () => [g, r] as const));

function pair(id: string, requestId: string, i: number, now: number): { grant: Grant; request: AccessRequest } {
  const [state, status] = ENDING_WHEEL[i % ENDING_WHEEL.length];
  const requester = USERS[i % USERS.length];
  const createTime = now - 300 * DAY + i;
  const statement = `SELECT id, customer, amount FROM wide WHERE id = ${i}`;
  const activated = status === 'APPROVED';
  // ACTIVE ones were approved just now, so they are still valid for days.
  const activateTime = state === 'ACTIVE' ? now : createTime + 60_000;
  const grant: Grant = {
    id, project: PROJECT, requester, requestId, databases: [database('wide')], statement, export: false, unmask: false,
    reason: 'investigating a customer ticket', duration: '1d', state, createTime,
    ...(activated ? { activateTime, expireTime: activateTime + DAY } : {}),
  };
  const request: AccessRequest = {
    id: requestId, type: 'ACCESS_GRANT', project: PROJECT, creator: requester, status,
    payload: { databases: grant.databases, statement, tables: ['wide'], export: false, unmask: false, duration: '1d', reason: grant.reason },
    rule: { title: 'The owner approves every read', source: 'REQUEST_ACCESS', index: 0 },
    steps: [{ roles: ['projectOwner'], approver: 'bob', decision: status === 'REJECTED' ? 'REJECTED' : 'APPROVED', time: createTime + 60_000 }],
    currentStep: 1, createTime, expireTime: createTime + DAY, decideTime: createTime + 60_000, grantId: id,
  };
  return { grant, request };
}

async function writeLedger(file: string, grants: number, auditLines: number, now: number): Promise<void> {
  const ledger = openSqliteLedger(file);
  await ledger.transaction(async (tx) => {
    for (let i = 0; i < grants; i++) {
      const { grant, request } = pair(await tx.nextId('grant'), await tx.nextId('request'), i, now);
      await tx.putRequest(request);
      await tx.putGrant(grant);
    }
    // Every audit line below records a committed change, as after a clean stop; without the
    // mark the service would re-read the whole log at start to find uncommitted entries.
    await tx.setAuditMark(auditLines);
  });
  await ledger.close();
}

/** The length of one grant's audit story below. */
export const AUDIT_LINES_PER_GRANT = 10;

/** The audit story of one grant, cycled until the wanted number of lines is written. */
function story(i: number): AuditEvent[] {
  const grantId = String(i + 1);
  // txn: appended inside a ledger transaction, as every change's entries are.
  const base = { project: PROJECT, grantId, requestId: grantId, clientAddress: '127.0.0.1', userAgent: 'jit-access-vscode/0.1.0', txn: true };
  const run: AuditEvent = { ...base, actor: USERS[i % USERS.length], action: 'grant.run', database: database('wide'), statement: `SELECT id, customer, amount FROM wide WHERE id = ${i}`, rowCount: 1, durationMs: 2, outcome: 'ok', detail: { truncated: false } };
  return [
    { ...base, actor: USERS[i % USERS.length], action: 'request.created', detail: { type: 'ACCESS_GRANT', rule: { title: 'The owner approves every read', index: 0 } } },
    { ...base, actor: 'bob', action: 'request.step.approved', detail: { step: 1 } },
    { ...base, actor: 'bob', action: 'request.approved', detail: { final: true, how: 'approved by bob' } },
    { ...base, actor: 'bob', action: 'grant.activated', detail: { requester: USERS[i % USERS.length] } },
    run, run, run, run, run,
    { ...base, actor: 'system', action: 'grant.expired' },
  ];
}

/** Writes the log and returns where its chain ends. */
function writeAudit(file: string, lines: number, grants: number, now: number): ChainPoint {
  const fd = openSync(file, 'w');
  let prevHash = GENESIS_HASH;
  let buffer: string[] = [];
  const start = now - 300 * DAY;
  let events: AuditEvent[] = [];
  let last = { start: 0, offset: 0 };
  try {
    for (let seq = 1; seq <= lines; seq++) {
      const k = (seq - 1) % AUDIT_LINES_PER_GRANT;
      if (k === 0) events = story(((seq - 1) / AUDIT_LINES_PER_GRANT) % grants);
      const event = events[k];
      const body = { seq, time: new Date(start + seq * 1000).toISOString(), ...event, prevHash };
      prevHash = hashEntry(body);
      // Same text as JSON.stringify({ ...body, hash }), without building the object again.
      const line = `${JSON.stringify(body).slice(0, -1)},"hash":"${prevHash}"}`;
      buffer.push(line);
      last = { start: last.offset, offset: last.offset + Buffer.byteLength(line) + 1 };
      if (buffer.length === 10_000 || seq === lines) {
        writeSync(fd, `${buffer.join('\n')}\n`);
        buffer = [];
      }
    }
  } finally {
    closeSync(fd);
  }
  return { line: lines, ...last, hash: prevHash };
}

export async function writeHistory(dataDir: string, history: { grants: number; auditLines: number }): Promise<void> {
  const now = Date.now();
  await writeLedger(join(dataDir, 'ledger.sqlite'), history.grants, history.auditLines, now);
  const file = join(dataDir, 'audit.jsonl');
  // As after a clean stop, so a start walks the chain from here rather than from line 1.
  await writeCheckpoint(file, writeAudit(file, history.auditLines, history.grants, now));
}
