import assert from 'node:assert/strict';
import { formatTimeLeft, nearestExpiry } from '../../../extension/core/time-left.js';
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
