import assert from 'node:assert/strict';
import { formatTimeLeft, msUntilTextChanges, nearestExpiry } from '../../../extension/core/time-left.js';
import { minutesFromNow, NOW } from './fixtures.js';

describe('formatTimeLeft', () => {
  const cases: [number, string][] = [
    [23, '23m left'],
    [65, '1h 5m left'],
    [120, '2h left'],
    [60 * 24 * 2 + 180, '2d 3h left'],
    [0.75, '45s left'],
    [0, 'expired'],
    [-5, 'expired'],
  ];
  for (const [minutes, expected] of cases) {
    it(`shows "${expected}" ${minutes} minutes before expiry`, () => {
      assert.equal(formatTimeLeft(minutesFromNow(minutes), NOW), expected);
    });
  }

  it('rounds minutes down so it never promises more time than is left', () => {
    assert.equal(formatTimeLeft(NOW + 23 * 60_000 + 59_000, NOW), '23m left');
  });
});

describe('msUntilTextChanges', () => {
  // The countdown sleeps exactly this long, so the text must hold until then and change right then.
  const secondsLeft = [0.4, 1, 1.5, 30.5, 56, 59.999, 60, 60.001, 61.5, 90, 23 * 60 + 30, 3600, 3661.2, 86_399, 86_400, 2 * 86_400 + 5_000];
  for (const seconds of secondsLeft) {
    it(`holds, then changes the text, ${seconds}s before expiry`, () => {
      const expireTime = NOW + seconds * 1000;
      const delay = msUntilTextChanges(expireTime, NOW)!;
      assert.ok(delay > 0, `delay ${delay}`);
      assert.equal(formatTimeLeft(expireTime, NOW + delay - 1), formatTimeLeft(expireTime, NOW), `still the same 1 ms before (delay ${delay})`);
      assert.notEqual(formatTimeLeft(expireTime, NOW + delay), formatTimeLeft(expireTime, NOW), `changed after ${delay} ms`);
    });
  }

  it('ticks every second under a minute', () => {
    assert.equal(msUntilTextChanges(NOW + 56_000, NOW), 1000);
  });

  it('is undefined once expired', () => {
    assert.equal(msUntilTextChanges(NOW, NOW), undefined);
  });
});

describe('nearestExpiry', () => {
  it('picks the soonest expiry still ahead', () => {
    const soonest = nearestExpiry(
      [
        { label: 'later', expireTime: minutesFromNow(90) },
        { label: 'past', expireTime: minutesFromNow(-1) },
        { label: 'soon', expireTime: minutesFromNow(10) },
      ],
      NOW,
    );
    assert.equal(soonest?.label, 'soon');
  });
});
