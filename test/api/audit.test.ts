import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashEntry } from '../../server/audit/audit-log.js';
import { verifyAuditLog } from '../../server/audit/verify.js';
import { startHarness, testConfig } from '../support/harness.js';
import { API, accessBody, activeGrant, decide, expectRefused, requestAccess } from './helpers.js';

describe('audit log', () => {
  let dir: string;
  let lines: string[];

  before(async () => {
    const h = await startHarness();
    try {
      const grant = await activeGrant(h);
      await h.json('alice', 'POST', `${API}/grants/${grant.id}/run`, {});
      const { request } = await requestAccess(h, { unmask: true });
      await decide(h, 'bob', request.id, 'reject');
      await h.json('bob', 'PATCH', `${API}/projects/shop/settings`, { allowRequestRole: false });
      await h.advance(3_600_000);
      lines = readFileSync(join(h.dataDir, 'audit.jsonl'), 'utf8').split('\n').filter(Boolean);
      assert.deepEqual(await verifyAuditLog(join(h.dataDir, 'audit.jsonl')), { ok: true, entries: lines.length });
    } finally {
      await h.close();
    }
    dir = mkdtempSync(join(tmpdir(), 'jit-audit-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Writes `text` as an audit log and verifies it. */
  async function verify(text: string) {
    const file = join(dir, 'audit.jsonl');
    writeFileSync(file, text);
    return verifyAuditLog(file);
  }
  const joined = (xs: string[]) => xs.map((l) => `${l}\n`).join('');

  it('records every decision of a lifecycle, chained from the genesis hash', () => {
    const entries = lines.map((l) => JSON.parse(l));
    assert.deepEqual(entries.map((e) => e.action), [
      'request.created', 'request.step.approved', 'request.approved', 'grant.activated', 'grant.run',
      'request.created', 'request.rejected', 'settings.changed', 'grant.expired',
    ]);
    assert.equal(entries[0].prevHash, '0'.repeat(64));
    entries.forEach((e, i) => {
      assert.equal(e.seq, i + 1);
      if (i) assert.equal(e.prevHash, entries[i - 1].hash);
    });
    const run = entries[4];
    assert.equal(run.grantId, entries[3].grantId);
    assert.equal(run.outcome, 'ok');
    assert.equal(run.rowCount, 7);
    assert.equal(typeof run.durationMs, 'number');
  });

  it('an edited field is detected at its line', async () => {
    const edited = [...lines];
    edited[1] = edited[1].replace('"actor":"bob"', '"actor":"mallory"');
    assert.notEqual(edited[1], lines[1]);
    const result = await verify(joined(edited));
    assert.deepEqual({ ...result, reason: undefined }, { ok: false, entries: 1, line: 2, reason: undefined });
    assert.match((result as { reason: string }).reason, /hash does not match/);
  });

  it('an edited line with a recomputed hash breaks the next link', async () => {
    const edited = [...lines];
    const { hash, ...body } = JSON.parse(edited[1]);
    body.actor = 'mallory';
    edited[1] = JSON.stringify({ ...body, hash: hashEntry(body) });
    assert.notEqual(hash, hashEntry(body));
    const result = await verify(joined(edited));
    assert.equal(result.ok, false);
    assert.equal((result as { line: number }).line, 3);
    assert.match((result as { reason: string }).reason, /prevHash/);
  });

  it('a deleted line is detected where it was', async () => {
    const result = await verify(joined([lines[0], ...lines.slice(2)]));
    assert.equal((result as { line: number }).line, 2);
    assert.match((result as { reason: string }).reason, /sequence number 3, expected 2 \(a line was removed or inserted\)/);
    const last = await verify(joined(lines.slice(0, -1)));
    assert.deepEqual(last, { ok: true, entries: lines.length - 1 }, 'truncating whole lines at the end keeps a valid prefix');
  });

  it('a torn last line is detected', async () => {
    const torn = joined(lines.slice(0, -1)) + lines[lines.length - 1].slice(0, 40);
    const result = await verify(torn);
    assert.deepEqual({ ...result, reason: undefined }, { ok: false, entries: lines.length - 1, line: lines.length, reason: undefined });
    assert.match((result as { reason: string }).reason, /incomplete/);
  });

  it('swapped lines are detected', async () => {
    const result = await verify(joined([lines[0], lines[2], lines[1], ...lines.slice(3)]));
    assert.equal((result as { line: number }).line, 2);
  });

  it('an empty or missing log verifies with no entries', async () => {
    assert.deepEqual(await verify(''), { ok: true, entries: 0 });
    assert.deepEqual(await verifyAuditLog(join(dir, 'none.jsonl')), { ok: true, entries: 0 });
  });
});

describe('the service and its audit log', () => {
  it('marks entries whose change was never committed (a crash between append and commit) at the next start', async () => {
    const h = await startHarness();
    try {
      await requestAccess(h);
      await h.restart();
      assert.ok(!h.auditLines().some((l) => l.action === 'audit.uncommitted'), 'a clean stop leaves nothing to mark');
      // What a crash leaves behind: an entry appended inside a transaction that never committed.
      const phantom = await h.service.deps.audit.append({ actor: 'alice', action: 'request.created', requestId: '2', txn: true }, h.clock.now());
      await h.restart();
      const last = h.auditLines().at(-1);
      assert.equal(last.action, 'audit.uncommitted');
      assert.deepEqual(last.detail.seqs, [phantom.seq]);
      const next = await requestAccess(h);
      assert.equal(next.request.id, '2', 'the ledger hands the id out again, which is why the mark matters');
      await h.restart();
      assert.equal(h.auditLines().filter((l) => l.action === 'audit.uncommitted').length, 1, 'committed entries are never marked');
    } finally {
      await h.close();
    }
  });

  it('cuts a torn last line at start, keeps it aside and records the cut in a chain that verifies', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'jit-torn-'));
    try {
      const h = await startHarness(testConfig(), { dataDir });
      await requestAccess(h);
      await h.close();
      const file = join(dataDir, 'audit.jsonl');
      const whole = readFileSync(file, 'utf8');
      writeFileSync(file, whole.slice(0, -10));
      assert.equal((await verifyAuditLog(file)).ok, false);
      const again = await startHarness(testConfig(), { dataDir });
      await again.close();
      const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      const last = lines.at(-1);
      assert.equal(last.action, 'audit.repaired');
      assert.equal(last.detail.tornBytes, whole.trim().split('\n').at(-1)!.length - 9);
      assert.equal(readFileSync(last.detail.keptAs, 'utf8'), whole.trim().split('\n').at(-1)!.slice(0, -9));
      assert.deepEqual(await verifyAuditLog(file), { ok: true, entries: lines.length });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('if the audit cannot be written, nothing changes and no rows are returned', async () => {
    const h = await startHarness();
    try {
      const grant = await activeGrant(h);
      const audit = h.service.deps.audit;
      const append = audit.append.bind(audit);
      audit.append = async (event, time) => {
        if (event.action !== 'request.created' && event.action !== 'grant.run') return append(event, time);
        throw new Error('disk full');
      };
      await expectRefused(h, () => h.json('alice', 'POST', `${API}/projects/shop/access-requests`, accessBody()), 500, 'INTERNAL', /^Internal error; the service log has the details$/);
      const run = await h.json('alice', 'POST', `${API}/grants/${grant.id}/run`, {});
      assert.equal(run.status, 500);
      assert.equal(run.body.rows, undefined);
      assert.doesNotMatch(JSON.stringify(run.body), /disk full/);
    } finally {
      await h.close();
    }
  });

  it('GET /audit filters, newest first', async () => {
    const h = await startHarness();
    try {
      const grant = await activeGrant(h);
      const all = await h.json('admin', 'GET', `${API}/audit`);
      assert.deepEqual(all.body.entries.map((e: any) => e.seq), [4, 3, 2, 1]);
      const byGrant = await h.json('admin', 'GET', `${API}/audit?grant=${grant.id}&action=grant.activated`);
      assert.deepEqual(byGrant.body.entries.map((e: any) => e.action), ['grant.activated']);
      assert.deepEqual((await h.json('admin', 'GET', `${API}/audit?user=bob&limit=1`)).body.entries.map((e: any) => e.seq), [4]);
      const bad = await h.json('admin', 'GET', `${API}/audit?since=yesterday`);
      assert.equal(bad.status, 400);
      assert.match(bad.body.error.message, /since must be an RFC 3339 time/);
    } finally {
      await h.close();
    }
  });
});
