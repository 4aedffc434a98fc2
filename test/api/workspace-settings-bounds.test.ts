// Changing the workspace's grant duration bounds: a minimum equal to the maximum is allowed
// (only a larger one is refused, with the field named), and the audit line records the patch
// the admin sent (issue 15: mutants of server/domain/workspace-settings.ts).
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../support/harness.js';
import { API, callAs, expectRefused } from './helpers.js';

describe('workspace settings: duration bounds', () => {
  let h: Harness;
  beforeEach(async () => (h = await startHarness()));
  afterEach(async () => h.close());

  it('accepts a minimum equal to the maximum, and audits the patch', async () => {
    const r = await callAs(h, 'admin', 'PATCH', `${API}/workspace/settings`, { minGrantDuration: '7d' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual([r.body.minGrantDuration, r.body.maxGrantDuration], ['7d', '7d']);
    const line = h.auditLines().at(-1);
    assert.deepEqual([line.action, line.actor, line.detail], ['settings.changed', 'admin', { workspace: { minGrantDuration: '7d' } }]);
  });

  it('refuses a maximum below the minimum, naming the minimum as the field to change', async () => {
    await callAs(h, 'admin', 'PATCH', `${API}/workspace/settings`, { minGrantDuration: '2h' });
    const error = await expectRefused(
      h, () => callAs(h, 'admin', 'PATCH', `${API}/workspace/settings`, { maxGrantDuration: '1h' }),
      400, 'INVALID_ARGUMENT', /^minGrantDuration must not exceed maxGrantDuration$/,
    );
    assert.deepEqual(error.details, { field: 'minGrantDuration' });
  });
});
