import assert from 'node:assert/strict';
import type { AccessSnapshot } from '../../../extension/core/access-state.js';
import type { Me } from '../../../extension/core/api-types.js';
import type { EventOf } from '../../../extension/core/event-stream.js';
import { reminderFor } from '../../../extension/core/reminders.js';
import { statusText } from '../../../extension/core/status-text.js';
import { accessRequest, grant, me as meIn, minutesFromNow, NOW } from './fixtures.js';

describe('expiry reminders', () => {
  const g = grant({ id: 'g-1', expireTime: minutesFromNow(15) });
  const expiring = (grantId: string, id?: string): EventOf<'grant.expiring'> => ({ type: 'grant.expiring', id, data: { grantId, project: 'shop', expireTime: minutesFromNow(15) } });

  it('reminds about a grant that is about to expire, by name and database', () => {
    const reminder = reminderFor(expiring('g-1'), { grants: [g], myRequests: [] }, NOW);
    assert.equal(reminder?.message, 'Your grant #g-1 on demo/hr expires soon (15m left).');
    assert.equal(reminder?.kind === 'grant' && reminder.grant.id, 'g-1');
  });

  const me = (roles: Me['projects'][number]['roles']): Me => meIn({ shop: roles });
  const roleExpiring: EventOf<'role.expiring'> = { type: 'role.expiring', data: { bindingId: 'b-1', project: 'shop', role: 'projectExporter', expireTime: minutesFromNow(14) } };

  it('reminds about an expiring role the user still holds', () => {
    const reminder = reminderFor(roleExpiring, { grants: [], myRequests: [], me: me([{ role: 'projectExporter', expireTime: minutesFromNow(14), bindingId: 'b-1' }]) }, NOW);
    assert.equal(reminder?.message, 'Your role projectExporter in shop expires soon (14m left).');
  });

  // Replayed on reconnect: the service kept what was sent while the editor was closed.
  describe('replayed after a reconnect', () => {
    it('reminds about a grant still active', () => {
      assert.equal(reminderFor(expiring('g-1', '41'), { grants: [g], myRequests: [] }, NOW)?.kind, 'grant');
    });

    it('says nothing about a grant revoked or expired since, or no longer listed', () => {
      for (const gone of [grant({ id: 'g-1', state: 'REVOKED' }), grant({ id: 'g-1', state: 'EXPIRED' }), grant({ id: 'g-1', expireTime: minutesFromNow(-1) })]) {
        assert.equal(reminderFor(expiring('g-1'), { grants: [gone], myRequests: [] }, NOW), undefined, gone.state);
      }
      assert.equal(reminderFor(expiring('g-1'), { grants: [], myRequests: [] }, NOW), undefined);
    });

    it('says nothing about a role revoked since (no longer in /me) or past its expiry', () => {
      assert.equal(reminderFor(roleExpiring, { grants: [], myRequests: [], me: me([]) }, NOW), undefined);
      assert.equal(reminderFor(roleExpiring, { grants: [], myRequests: [], me: me([{ role: 'projectExporter', expireTime: minutesFromNow(14), bindingId: 'b-2' }]) }, NOW), undefined);
      const late = { ...roleExpiring, data: { ...roleExpiring.data, expireTime: minutesFromNow(-1) } };
      assert.equal(reminderFor(late, { grants: [], myRequests: [], me: me([{ role: 'projectExporter', expireTime: minutesFromNow(-1), bindingId: 'b-1' }]) }, NOW), undefined);
    });

    it('matches a role by name and expiry when the service gives no binding id', () => {
      const held = me([{ role: 'projectExporter', expireTime: minutesFromNow(14) }]);
      assert.equal(reminderFor(roleExpiring, { grants: [], myRequests: [], me: held }, NOW)?.kind, 'role');
    });
  });

  // The UI test's 60-second grant got "expires soon" the moment it was activated: the service
  // sends grant.expiring at once for a grant shorter than reminderBefore.
  describe('for access too short to need one', () => {

    it('says nothing about a grant activated just now', () => {
      const short = grant({ id: 'g-2', duration: '60s', activateTime: minutesFromNow(0), expireTime: minutesFromNow(1) });
      assert.equal(reminderFor(expiring('g-2'), { grants: [short], myRequests: [] }, NOW), undefined);
    });

    it('reminds about a 60-second grant 45 seconds in: the service scales its lead time down for short access', () => {
      const short = grant({ id: 'g-2', duration: '60s', activateTime: new Date(NOW - 45_000).toISOString(), expireTime: new Date(NOW + 15_000).toISOString() });
      assert.equal(reminderFor(expiring('g-2'), { grants: [short], myRequests: [] }, NOW)?.message, 'Your grant #g-2 on demo/hr expires soon (15s left).');
    });

    it('says nothing when the event overtakes the reload that would show the grant active', () => {
      const stillPending = grant({ id: 'g-2', state: 'PENDING', activateTime: undefined, expireTime: undefined });
      assert.equal(reminderFor(expiring('g-2'), { grants: [stillPending], myRequests: [] }, NOW), undefined);
    });

    it('says nothing about a 20-minute grant 5 minutes in, but reminds about a 30-minute one 15 minutes in', () => {
      const twenty = grant({ id: 'g-3', activateTime: minutesFromNow(-5), expireTime: minutesFromNow(15) });
      const thirty = grant({ id: 'g-4', activateTime: minutesFromNow(-15), expireTime: minutesFromNow(15) });
      assert.equal(reminderFor(expiring('g-3'), { grants: [twenty], myRequests: [] }, NOW), undefined);
      assert.equal(reminderFor(expiring('g-4'), { grants: [thirty], myRequests: [] }, NOW)?.message, 'Your grant #g-4 on demo/hr expires soon (15m left).');
    });

    it('says nothing about a role granted just now, judged by when its request was decided', () => {
      const granted = accessRequest({ type: 'ROLE_GRANT', status: 'APPROVED', bindingId: 'b-1', decideTime: minutesFromNow(0) });
      const event: EventOf<'role.expiring'> = { type: 'role.expiring', data: { bindingId: 'b-1', project: 'shop', role: 'projectExporter', expireTime: minutesFromNow(5) } };
      const held = me([{ role: 'projectExporter', expireTime: minutesFromNow(5), bindingId: 'b-1' }]);
      assert.equal(reminderFor(event, { grants: [], myRequests: [granted], me: held }, NOW), undefined);
      assert.equal(reminderFor(event, { grants: [], myRequests: [{ ...granted, decideTime: minutesFromNow(-60) }], me: held }, NOW)?.kind, 'role');
    });
  });
});

describe('status bar text', () => {
  const snapshot = (over: Partial<AccessSnapshot>): AccessSnapshot => ({ status: 'ready', projects: [], grants: [], myRequests: [], toApprove: [], ...over });

  it('shows the nearest expiry among grants and roles', () => {
    const text = statusText(
      snapshot({
        grants: [grant({ id: 'g-1', expireTime: minutesFromNow(50) })],
        me: meIn({ shop: [{ role: 'sqlEditorUser', expireTime: minutesFromNow(23) }] }),
      }),
      NOW,
    );
    assert.deepEqual(text, { text: 'JIT 23m left', tooltip: 'Role sqlEditorUser in shop expires first (23m left)' });
  });

  it('is hidden when nothing counts down', () => {
    assert.equal(statusText(snapshot({ grants: [grant({ state: 'EXPIRED' })] }), NOW), undefined);
  });
});
