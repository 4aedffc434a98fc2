// A service that finds its audit chain broken at start refuses to append to it, unless the
// operator accepts the break, which is then recorded and stays visible to `audit verify`.
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashEntry } from '../../server/audit/audit-log.js';
import { BrokenAuditLogError } from '../../server/audit/start-check.js';
import { verifyAuditLog } from '../../server/audit/verify.js';
import { openService } from '../../server/service.js';
import { FakeClock } from '../support/fake-clock.js';
import { startHarness, testConfig } from '../support/harness.js';
import { requestAccess } from './helpers.js';

describe('a broken audit log at start', () => {
  let dataDir: string;
  let file: string;
  const lines = () => readFileSync(file, 'utf8').split('\n').filter(Boolean);
  // The harness's clock, so the open requests do not expire on the way.
  const open = (acceptBrokenAuditLog?: boolean) => openService({ dataDir, seed: testConfig, seedDir: dataDir, clock: new FakeClock(), acceptBrokenAuditLog });

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'jit-broken-'));
    file = join(dataDir, 'audit.jsonl');
    const h = await startHarness(testConfig(), { dataDir });
    await requestAccess(h);
    await requestAccess(h);
    await h.close();
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  /** What a second writer leaves: an entry with the same seq as the last one, chained to the same line. */
  function appendRivalEntry() {
    const last = JSON.parse(lines().at(-1)!);
    const { hash, ...body } = { ...last, actor: 'bob' };
    appendFileSync(file, `${JSON.stringify({ ...body, hash: hashEntry(body) })}\n`);
  }

  async function refused(line: number, reason: RegExp) {
    const before = readFileSync(file);
    await assert.rejects(open(), (err: unknown) => {
      assert.ok(err instanceof BrokenAuditLogError);
      assert.match(err.message, new RegExp(`^audit log ${file} is broken at line ${line}: `));
      assert.match(err.message, reason);
      assert.match(err.message, /does not append to a broken chain.*--accept-broken-audit-log/);
      return true;
    });
    assert.deepEqual(readFileSync(file), before, 'nothing was appended');
  }

  it('two entries with one sequence number (a second writer): refused, naming the file, the line and the reason', async () => {
    appendRivalEntry();
    await refused(3, /sequence number 2, expected 3/);
  });

  it('an edited last line, or lines cut off the end, are refused too', async () => {
    const whole = readFileSync(file, 'utf8');
    writeFileSync(file, whole.replace(/"actor":"alice"([^\n]*)\n$/, '"actor":"mallory"$1\n'));
    await refused(2, /hash does not match the content/);
    writeFileSync(file, `${whole.split('\n')[0]}\n`);
    await refused(2, /entries 2–2, verified at an earlier start, are gone/);
  });

  it('--accept-broken-audit-log records the break, starts a new segment, and verify lists the break as accepted', async () => {
    appendRivalEntry();
    const service = await open(true);
    await service.close();
    const accepted = JSON.parse(lines()[3]);
    assert.equal(accepted.action, 'audit.broken.accepted');
    assert.equal(accepted.seq, 4);
    assert.equal(accepted.prevHash, JSON.parse(lines()[1]).hash, 'the new segment links to the last good entry');
    assert.deepEqual({ line: accepted.detail.line, brokenLines: accepted.detail.brokenLines }, { line: 3, brokenLines: 1 });
    assert.match(accepted.detail.reason, /sequence number 2, expected 3/);
    assert.deepEqual(await verifyAuditLog(file), {
      ok: true, entries: 3, accepted: [{ line: 3, reason: accepted.detail.reason, acceptedAt: 4 }],
    });

    // Accepted once is enough; the log goes on from the new segment.
    const h = await startHarness(testConfig(), { dataDir });
    await requestAccess(h);
    await h.close();
    assert.deepEqual(await verifyAuditLog(file), { ok: true, entries: 4, accepted: [{ line: 3, reason: accepted.detail.reason, acceptedAt: 4 }] });

    // The acceptance pins the broken lines: changing them again is a new break.
    writeFileSync(file, readFileSync(file, 'utf8').replace('"actor":"bob"', '"actor":"eve"'));
    const again = await verifyAuditLog(file);
    assert.equal(again.ok, false);
    assert.equal((again as { line: number }).line, 3);
  });
});
