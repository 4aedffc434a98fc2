// Faults inside the service: a commit that fails after the change's audit entries were
// appended (disk full, I/O error) must leave the audit log saying those entries did not happen.
import assert from 'node:assert/strict';
import type { LedgerTx } from '../../server/store/ledger.js';
import { API, request, startRel, type Rel } from './support/inproc.js';

describe('faults', () => {
  let r: Rel;
  beforeEach(async () => (r = await startRel()));
  afterEach(async () => r.close());

  it('a commit that fails after the audit append is marked uncommitted in the audit log, and nothing is half-done', async () => {
    const ledger = r.h.service.deps.ledger;
    const original = ledger.transaction.bind(ledger);
    let failNext = true;
    ledger.transaction = <T>(fn: (tx: LedgerTx) => Promise<T>) =>
      original(async (tx) => {
        const value = await fn(tx);
        if (failNext) {
          failNext = false;
          throw new Error('disk I/O error (injected at commit)');
        }
        return value;
      });
    // raw, not call: this 500 is expected, so it is kept out of the outputs the secrets test scans.
    const res = await r.raw('alice', 'POST', `${API}/projects/shop/access-requests`, {
      databases: ['demo/sales'], statement: 'SELECT 1 AS one', duration: '1h', reason: 'fault',
    });
    const failed = { status: res.status, body: await res.json() };
    assert.equal(failed.status, 500);
    assert.equal(failed.body.error.code, 'INTERNAL');
    assert.doesNotMatch(failed.body.error.message, /disk|injected|at /);
    assert.equal((await ledger.listRequests({})).length, 0, 'nothing was committed');

    const phantom = r.audit().find((l) => l.action === 'request.created');
    assert.ok(phantom, 'the entry was appended before the commit');
    const marker = r.audit().find((l) => l.action === 'audit.uncommitted');
    assert.ok(marker, 'the rolled-back change is marked in the audit log');
    assert.deepEqual(marker.detail.seqs, [phantom.seq]);

    // The next request gets the id the rolled-back one had; the marker tells the two apart.
    const next = await request(r);
    const created = r.audit().filter((l) => l.action === 'request.created' && l.requestId === next.request.id);
    assert.ok(created.length >= 1);
    assert.ok(created.slice(0, -1).every((l) => marker.detail.seqs.includes(l.seq)), 'every earlier entry for this id is marked uncommitted');
  });
});
