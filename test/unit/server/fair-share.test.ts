import assert from 'node:assert/strict';
import { FairQueue, type Admission } from '../../../server/domain/fair-share.js';
import { DomainError } from '../../../server/domain/errors.js';

const LIMITS = { slots: 1, perUser: 3 };
const tick = () => new Promise((r) => setImmediate(r));

describe('fair queue', () => {
  it('admits waiting statements round-robin across users: one user\'s backlog does not stand before another\'s single statement', async () => {
    const q = new FairQueue();
    const order: string[] = [];
    const first = await q.acquire('a', LIMITS, 10_000);
    const waiting = [
      q.acquire('a', LIMITS, 10_000).then((x) => (order.push('a2'), x)),
      q.acquire('a', LIMITS, 10_000).then((x) => (order.push('a3'), x)),
      q.acquire('b', LIMITS, 10_000).then((x) => (order.push('b1'), x)),
    ];
    await tick();
    assert.deepEqual(order, [], 'nothing is admitted while the only slot is taken');
    first.release();
    const admitted: Admission[] = [];
    for (let i = 0; i < 3; i++) {
      await tick();
      assert.equal(order.length, i + 1, 'one statement admitted per freed slot');
      admitted.push(await waiting[['a2', 'a3', 'b1'].indexOf(order[i])]);
      admitted[i].release();
    }
    assert.deepEqual(order, ['a2', 'b1', 'a3']);
  });

  it('refuses a statement over the user\'s share at once with RESOURCE_EXHAUSTED and a retry hint, without touching others', async () => {
    const q = new FairQueue();
    const limits = { slots: 4, perUser: 2 };
    const held = [await q.acquire('a', limits, 10_000), await q.acquire('a', limits, 10_000)];
    const error = await q.acquire('a', limits, 10_000).then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof DomainError);
    assert.equal(error.code, 'RESOURCE_EXHAUSTED');
    assert.equal(error.details?.retryAfterSeconds, 2);
    assert.match(error.message, /already have 2 statements running or waiting.*limit per user is 2/);
    const other = await q.acquire('b', limits, 10_000);
    other.release();
    held[0].release();
    (await q.acquire('a', limits, 10_000)).release();
    held[1].release();
  });

  it('gives up waiting at the time limit and frees the user\'s share', async () => {
    const q = new FairQueue();
    const busy = await q.acquire('a', LIMITS, 10_000);
    const error = await q.acquire('b', LIMITS, 50).then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof DomainError && error.code === 'DEADLINE_EXCEEDED');
    busy.release();
    (await q.acquire('b', { slots: 1, perUser: 1 }, 50)).release();
  });

  it('a cancelled wait leaves the queue', async () => {
    const q = new FairQueue();
    const busy = await q.acquire('a', LIMITS, 10_000);
    const controller = new AbortController();
    const waiting = q.acquire('b', LIMITS, 10_000, controller.signal).then(() => 'admitted', (e: DomainError) => e.code);
    controller.abort();
    assert.equal(await waiting, 'FAILED_PRECONDITION');
    busy.release();
    (await q.acquire('c', LIMITS, 50)).release();
  });
});
