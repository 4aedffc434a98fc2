import assert from 'node:assert/strict';
import type { AccessSnapshot } from '../../../extension/core/access-state.js';
import { reminderFor } from '../../../extension/core/reminders.js';
import { statusText } from '../../../extension/core/status-text.js';
import { accessRequest, grant, minutesFromNow, NOW } from './fixtures.js';

describe('expiry reminders', () => {
  const g = grant({ id: 'g-1', expireTime: minutesFromNow(15) });

  it('reminds about a grant that is about to expire, by name and database', () => {
    const reminder = reminderFor({ type: 'grant.expiring', data: { grantId: 'g-1' } }, { grants: [g], myRequests: [] }, NOW);
    assert.equal(reminder?.message, 'Your grant #g-1 on demo/hr expires soon (15m left).');
    assert.equal(reminder?.kind === 'grant' && reminder.grant.id, 'g-1');
  });

  it('uses the grant the event carries when the list does not have it yet', () => {
    const reminder = reminderFor({ type: 'grant.expiring', data: { grant: g } }, { grants: [], myRequests: [] }, NOW);
    assert.equal(reminder?.kind, 'grant');
  });

  it('reminds about an expiring role', () => {
    const reminder = reminderFor({ type: 'role.expiring', data: { project: 'shop', role: 'projectExporter', expireTime: minutesFromNow(14) } }, { grants: [], myRequests: [] }, NOW);
    assert.equal(reminder?.message, 'Your role projectExporter in shop expires soon (14m left).');
  });

  // The UI test's 60-second grant got "expires soon" the moment it was activated: the service
  // sends grant.expiring at once for a grant shorter than reminderBefore.
  describe('for access too short to need one', () => {
    const expiring = (data: Record<string, unknown>) => ({ type: 'grant.expiring', data });

    it('says nothing about a grant activated just now', () => {
      const short = grant({ id: 'g-2', duration: '60s', activateTime: minutesFromNow(0), expireTime: minutesFromNow(1) });
      assert.equal(reminderFor(expiring({ grantId: 'g-2' }), { grants: [short], myRequests: [] }, NOW), undefined);
    });

    it('says nothing when the event overtakes the reload that would show the grant active', () => {
      const stillPending = grant({ id: 'g-2', state: 'PENDING', activateTime: undefined, expireTime: undefined });
      assert.equal(reminderFor(expiring({ grantId: 'g-2', expireTime: minutesFromNow(10) }), { grants: [stillPending], myRequests: [] }, NOW), undefined);
    });

    it('says nothing about a 20-minute grant 5 minutes in, but reminds about a 30-minute one 15 minutes in', () => {
      const twenty = grant({ id: 'g-3', activateTime: minutesFromNow(-5), expireTime: minutesFromNow(15) });
      const thirty = grant({ id: 'g-4', activateTime: minutesFromNow(-15), expireTime: minutesFromNow(15) });
      assert.equal(reminderFor(expiring({ grantId: 'g-3' }), { grants: [twenty], myRequests: [] }, NOW), undefined);
      assert.equal(reminderFor(expiring({ grantId: 'g-4' }), { grants: [thirty], myRequests: [] }, NOW)?.message, 'Your grant #g-4 on demo/hr expires soon (15m left).');
    });

    it('says nothing about a role granted just now, judged by when its request was decided', () => {
      const granted = accessRequest({ type: 'ROLE_GRANT', status: 'APPROVED', bindingId: 'b-1', decideTime: minutesFromNow(0) });
      const event = { type: 'role.expiring', data: { bindingId: 'b-1', project: 'shop', role: 'projectExporter', expireTime: minutesFromNow(5) } };
      assert.equal(reminderFor(event, { grants: [], myRequests: [granted] }, NOW), undefined);
      assert.equal(reminderFor(event, { grants: [], myRequests: [{ ...granted, decideTime: minutesFromNow(-60) }] }, NOW)?.kind, 'role');
    });
  });

  it('ignores other events', () => {
    assert.equal(reminderFor({ type: 'grant.activated', data: { grant: g } }, { grants: [g], myRequests: [] }, NOW), undefined);
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
