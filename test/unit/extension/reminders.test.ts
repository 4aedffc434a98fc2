import assert from 'node:assert/strict';
import type { AccessSnapshot } from '../../../extension/core/access-state.js';
import { reminderFor } from '../../../extension/core/reminders.js';
import { statusText } from '../../../extension/core/status-text.js';
import { grant, minutesFromNow, NOW } from './fixtures.js';

describe('expiry reminders', () => {
  const g = grant({ id: 'g-1', expireTime: minutesFromNow(15) });

  it('reminds about a grant that is about to expire, by name and database', () => {
    const reminder = reminderFor({ type: 'grant.expiring', data: { grantId: 'g-1' } }, [g], NOW);
    assert.equal(reminder?.message, 'Your grant #g-1 on demo/hr expires soon (15m left).');
    assert.equal(reminder?.kind === 'grant' && reminder.grant.id, 'g-1');
  });

  it('uses the grant the event carries when the list does not have it yet', () => {
    const reminder = reminderFor({ type: 'grant.expiring', data: { grant: g } }, [], NOW);
    assert.equal(reminder?.kind, 'grant');
  });

  it('reminds about an expiring role', () => {
    const reminder = reminderFor({ type: 'role.expiring', data: { project: 'shop', role: 'projectExporter', expireTime: minutesFromNow(14) } }, [], NOW);
    assert.equal(reminder?.message, 'Your role projectExporter in shop expires soon (14m left).');
  });

  it('ignores other events', () => {
    assert.equal(reminderFor({ type: 'grant.activated', data: { grant: g } }, [g], NOW), undefined);
  });
});

describe('status bar text', () => {
  const snapshot = (over: Partial<AccessSnapshot>): AccessSnapshot => ({ status: 'ready', projects: [], grants: [], myRequests: [], toApprove: [], ...over });

  it('shows the nearest expiry among grants and roles', () => {
    const text = statusText(
      snapshot({
        grants: [grant({ id: 'g-1', expireTime: minutesFromNow(50) })],
        me: { user: { id: 'alice' }, workspaceRole: 'workspaceMember', projects: [{ id: 'shop', roles: [{ role: 'sqlEditorUser', expireTime: minutesFromNow(23) }] }] },
      }),
      NOW,
    );
    assert.deepEqual(text, { text: 'JIT 23m left', tooltip: 'Role sqlEditorUser in shop expires first (23m left)' });
  });

  it('is hidden when nothing counts down', () => {
    assert.equal(statusText(snapshot({ grants: [grant({ state: 'EXPIRED' })] }), NOW), undefined);
  });
});
