// The one lock of the service (audit appends, store writes, the statement checker): work runs
// one at a time in the order asked, a failure reaches only its own caller, and idle waits for
// everything asked so far.
import assert from 'node:assert/strict';
import { serial } from '../../../server/concurrency/serial.js';

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe('serial lock', () => {
  it('runs work one at a time, in the order it was asked for', async () => {
    const lock = serial();
    const log: string[] = [];
    const first = gate();
    const a = lock.run(async () => {
      log.push('a start');
      await first.opened;
      log.push('a end');
      return 'a';
    });
    const b = lock.run(async () => {
      log.push('b start');
      return 'b';
    });
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(log, ['a start']);
    first.open();
    assert.deepEqual(await Promise.all([a, b]), ['a', 'b']);
    assert.deepEqual(log, ['a start', 'a end', 'b start']);
  });

  it('keeps going after a failure, which only its caller sees', async () => {
    const lock = serial();
    const failed = lock.run(async () => {
      throw new Error('disk full');
    });
    const next = lock.run(async () => 'written');
    await assert.rejects(failed, /disk full/);
    assert.equal(await next, 'written');
  });

  it('idle settles only once the work asked for so far has settled', async () => {
    const lock = serial();
    const slow = gate();
    let done = false;
    void lock.run(async () => {
      await slow.opened;
      done = true;
    });
    const idle = lock.idle().then(() => done);
    slow.open();
    assert.equal(await idle, true);
  });
});
