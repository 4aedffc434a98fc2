import assert from 'node:assert/strict';
import { exportStopReason } from '../../../extension/core/export-cut.js';
import { grant, minutesFromNow, NOW } from './fixtures.js';

describe('why an export stopped', () => {
  it('names a revoke and who did it', () => {
    assert.equal(
      exportStopReason(grant({ state: 'REVOKED', revokedBy: 'bob' }), NOW),
      'The export stopped: grant #a1b2c3 was revoked by bob while it downloaded. The partial file was removed.',
    );
  });

  it('names an expiry, recorded or only due', () => {
    for (const g of [grant({ state: 'EXPIRED' }), grant({ expireTime: minutesFromNow(-1) })]) {
      assert.match(exportStopReason(g, NOW) ?? '', /grant #a1b2c3 expired while it downloaded.*request access again/);
    }
  });

  it('says nothing when the grant still holds: the failure was something else', () => {
    assert.equal(exportStopReason(grant(), NOW), undefined);
  });
});
