// The service's real clock (tests elsewhere use a fake one): timers for far deadlines re-arm
// within setTimeout's 32-bit limit, past deadlines fire at once, timers never keep the process
// alive, and cancel stops the timer that is armed now. Also the domain's error type.
import assert from 'node:assert/strict';
import { iso, systemClock } from '../../../server/domain/clock.js';
import { denied, DomainError, ERROR_STATUS, invalid, notFound, precondition } from '../../../server/domain/errors.js';

interface Timer {
  fn: () => void;
  delay: number;
  unrefed: boolean;
  cleared: boolean;
}

/** Replaces setTimeout/clearTimeout while `body` runs, recording every timer. */
async function withTimers(body: (timers: Timer[]) => void | Promise<void>) {
  const timers: Timer[] = [];
  const real = { setTimeout: globalThis.setTimeout, clearTimeout: globalThis.clearTimeout };
  globalThis.setTimeout = ((fn: () => void, delay: number) => {
    const timer: Timer = { fn, delay, unrefed: false, cleared: false };
    timers.push(timer);
    return { timer, unref: () => void (timer.unrefed = true) };
  }) as unknown as typeof setTimeout;
  globalThis.clearTimeout = ((handle?: { timer: Timer }) => {
    if (handle) handle.timer.cleared = true;
  }) as unknown as typeof clearTimeout;
  try {
    await body(timers);
  } finally {
    Object.assign(globalThis, real);
  }
}

const MAX_DELAY = 2 ** 31 - 1;

describe('system clock', () => {
  it('now() is the wall clock', () => {
    const before = Date.now();
    const now = systemClock.now();
    assert.ok(now >= before && now <= Date.now());
  });

  it('iso() is RFC 3339 in UTC with milliseconds', () => {
    assert.equal(iso(0), '1970-01-01T00:00:00.000Z');
    assert.equal(iso(Date.UTC(2026, 10, 29, 12, 30, 5, 7)), '2026-11-29T12:30:05.007Z');
  });

  it('at() arms one timer for the time left, which does not keep the process alive', async () => {
    await withTimers((timers) => {
      let fired = 0;
      systemClock.at(Date.now() + 60_000, () => fired++);
      assert.equal(timers.length, 1);
      assert.ok(timers[0].delay > 59_000 && timers[0].delay <= 60_000, String(timers[0].delay));
      assert.equal(timers[0].unrefed, true);
      timers[0].fn();
      assert.equal(fired, 1);
    });
  });

  it('a deadline in the past fires at once (delay 0, never negative)', async () => {
    await withTimers((timers) => {
      systemClock.at(Date.now() - 5_000, () => undefined);
      assert.equal(timers[0].delay, 0);
    });
  });

  it('a deadline beyond setTimeout\'s limit re-arms until it is within reach', async () => {
    const realNow = Date.now;
    let now = 1_000;
    Date.now = () => now;
    try {
      await withTimers((timers) => {
        let fired = 0;
        const cancel = systemClock.at(now + MAX_DELAY + 10_000, () => fired++);
        assert.equal(timers.length, 1);
        assert.equal(timers[0].delay, MAX_DELAY);
        assert.equal(timers[0].unrefed, true);
        now += MAX_DELAY;
        timers[0].fn(); // the long wait is over: re-arm for what is left
        assert.equal(fired, 0);
        assert.equal(timers.length, 2);
        assert.equal(timers[1].delay, 10_000);
        assert.equal(timers[1].unrefed, true);
        cancel();
        assert.deepEqual(timers.map((t) => t.cleared), [false, true], 'cancel clears the timer armed now');
        timers[1].fn();
        assert.equal(fired, 1);
      });
    } finally {
      Date.now = realNow;
    }
  });

  it('a deadline exactly at the limit is one timer', async () => {
    await withTimers((timers) => {
      const realNow = Date.now;
      Date.now = () => 1_000;
      try {
        systemClock.at(1_000 + MAX_DELAY, () => undefined);
      } finally {
        Date.now = realNow;
      }
      assert.equal(timers.length, 1);
      assert.equal(timers[0].delay, MAX_DELAY);
    });
  });
});

describe('domain errors', () => {
  it('carry their code, message, details and name; each code has its HTTP status', () => {
    const err = invalid('bad', { field: 'x' });
    assert.ok(err instanceof Error);
    assert.equal(err.name, 'DomainError');
    assert.deepEqual([err.code, err.message, err.details], ['INVALID_ARGUMENT', 'bad', { field: 'x' }]);
    assert.deepEqual([denied('d').code, notFound('n').code, precondition('p').code], ['PERMISSION_DENIED', 'NOT_FOUND', 'FAILED_PRECONDITION']);
    assert.equal(new DomainError('UNAVAILABLE', 'u').details, undefined);
    assert.equal(ERROR_STATUS.FAILED_PRECONDITION, 409);
  });
});
