// Edges of the fair queue (server/domain/fair-share.ts) a mutation run found untested: what a
// refused or abandoned wait tells the user, a slot given back twice, one user's cancelled wait
// among others of the same user, waiting statements counting against the share, and one queue
// per instance.
import assert from 'node:assert/strict';
import { DomainError } from '../../../server/domain/errors.js';
import { FairQueue, FairShare } from '../../../server/domain/fair-share.js';

const ONE_SLOT = { slots: 1, perUser: 3 };
const tick = () => new Promise((r) => setImmediate(r));
const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as DomainError);

describe('fair queue edges', () => {
  it('tells a user whose wait ran out how long it waited, and one who cancelled that it was cancelled', async () => {
    const q = new FairQueue();
    const busy = await q.acquire('a', ONE_SLOT, 10_000);
    const late = await failure(q.acquire('b', ONE_SLOT, 20));
    assert.equal(late?.message, "Every session of this instance stayed busy for the statement's time limit (20 ms); try again");
    const controller = new AbortController();
    const cancelled = failure(q.acquire('b', ONE_SLOT, 10_000, controller.signal));
    controller.abort();
    assert.equal((await cancelled)?.message, 'The statement was cancelled while it waited for a session');
    busy.release();
  });

  it('a slot given back twice is given back once', async () => {
    const q = new FairQueue();
    const first = await q.acquire('a', ONE_SLOT, 10_000);
    first.release();
    first.release();
    const second = await q.acquire('b', ONE_SLOT, 10_000);
    let admitted = false;
    const third = q.acquire('c', ONE_SLOT, 10_000).then((x) => ((admitted = true), x));
    await tick();
    assert.equal(admitted, false, 'two statements ran on an instance with one slot');
    second.release();
    (await third).release();
  });

  it("a user's cancelled wait leaves the user's other waiting statements in the queue", async () => {
    const q = new FairQueue();
    const busy = await q.acquire('a', ONE_SLOT, 10_000);
    const controller = new AbortController();
    const cancelled = failure(q.acquire('b', ONE_SLOT, 10_000, controller.signal));
    const kept = q.acquire('b', ONE_SLOT, 10_000);
    controller.abort();
    assert.equal((await cancelled)?.code, 'FAILED_PRECONDITION');
    busy.release();
    (await kept).release();
  });

  it("waiting statements count against the user's share, and leave it when they give up", async () => {
    const q = new FairQueue();
    const limits = { slots: 1, perUser: 2 };
    const busy = await q.acquire('a', limits, 10_000);
    const waiting = q.acquire('a', limits, 10_000);
    const refused = await failure(q.acquire('a', limits, 10_000));
    assert.equal(refused?.code, 'RESOURCE_EXHAUSTED');
    assert.match(refused!.message, /^You already have 2 statements running or waiting/);
    busy.release();
    const second = await waiting;
    const gaveUp = await failure(q.acquire('a', limits, 20));
    assert.equal(gaveUp?.code, 'DEADLINE_EXCEEDED');
    const again = failure(q.acquire('a', limits, 20));
    assert.equal((await again)?.code, 'DEADLINE_EXCEEDED', 'the abandoned wait still counted against the share');
    second.release();
  });

  it("a user's share is given back one statement at a time", async () => {
    const q = new FairQueue();
    const limits = { slots: 2, perUser: 2 };
    const first = await q.acquire('a', limits, 10_000);
    const second = await q.acquire('a', limits, 10_000);
    first.release();
    const third = await q.acquire('a', limits, 10_000);
    assert.equal((await failure(q.acquire('a', limits, 10_000)))?.code, 'RESOURCE_EXHAUSTED');
    second.release();
    third.release();
  });

  it("once admitted, a statement keeps its place in the share when its wait's time limit passes or its caller goes away", async () => {
    const q = new FairQueue();
    const limits = { slots: 1, perUser: 2 };
    const busy = await q.acquire('b', limits, 10_000);
    const controller = new AbortController();
    const waiting = q.acquire('a', limits, 20, controller.signal);
    busy.release();
    const running = await waiting;
    await new Promise((r) => setTimeout(r, 40));
    controller.abort();
    const queued = q.acquire('a', limits, 10_000);
    assert.equal((await failure(q.acquire('a', limits, 10_000)))?.code, 'RESOURCE_EXHAUSTED', 'the share was given back before the statement ended');
    running.release();
    (await queued).release();
  });

  it('a newcomer does not pass statements already waiting, even when the instance has more slots by then', async () => {
    const q = new FairQueue();
    const admitted: string[] = [];
    const busy = await q.acquire('a', ONE_SLOT, 10_000);
    const waiting = q.acquire('b', ONE_SLOT, 10_000).then((x) => (admitted.push('b'), x));
    const newcomer = q.acquire('c', { slots: 2, perUser: 3 }, 10_000).then((x) => (admitted.push('c'), x));
    await tick();
    assert.deepEqual(admitted, []);
    busy.release();
    (await waiting).release();
    (await newcomer).release();
    assert.deepEqual(admitted, ['b', 'c']);
  });

  it('keeps one queue per instance: a busy instance does not hold up another, and its slots stay taken', async () => {
    const share = new FairShare();
    const busy = await share.acquire('pg', 'a', ONE_SLOT, 10_000);
    const elsewhere = await share.acquire('mysql', 'b', ONE_SLOT, 10_000);
    elsewhere.release();
    const wait = await failure(share.acquire('pg', 'b', ONE_SLOT, 20));
    assert.equal(wait?.code, 'DEADLINE_EXCEEDED');
    busy.release();
    (await share.acquire('pg', 'b', ONE_SLOT, 20)).release();
  });
});
