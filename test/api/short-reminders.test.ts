// Short grants and roles remind too: the lead time is min(reminderBefore, duration / 2), so a
// grant shorter than twice reminderBefore (15m in the demo) is reminded halfway through.
import assert from 'node:assert/strict';
import type { ServiceEvent } from '../../server/events/bus.js';
import { startHarness, type Harness } from '../support/harness.js';
import { activeGrant, decide, requestRole } from './helpers.js';

const MINUTE = 60_000;

describe('reminders for short grants and roles', () => {
  let h: Harness;
  let events: ServiceEvent[];
  beforeEach(async () => {
    h = await startHarness();
    events = [];
    h.service.deps.events.subscribe('alice', (e) => events.push(e));
  });
  afterEach(async () => h.close());

  const reminders = () => events.filter((e) => e.type.endsWith('.expiring')).map((e) => e.type);

  /** Expects the reminder exactly `leadMinutes` before the end of something that started now and lasts `minutes`. */
  async function remindedAt(minutes: number, leadMinutes: number, type: string) {
    await h.advance((minutes - leadMinutes) * MINUTE - 1);
    assert.deepEqual(reminders(), [], 'not yet');
    await h.advance(1);
    assert.deepEqual(reminders(), [type]);
  }

  it('a 20-minute grant is reminded 10 minutes ahead, not at once, then expires', async () => {
    await activeGrant(h, { duration: '20m' });
    await remindedAt(20, 10, 'grant.expiring');
    await h.advance(10 * MINUTE);
    assert.deepEqual(events.slice(-2).map((e) => e.type), ['grant.expiring', 'grant.expired']);
  });

  it('a 10-minute role is reminded 5 minutes ahead', async () => {
    const request = await requestRole(h, { duration: '10m' });
    await decide(h, 'bob', request.id);
    await decide(h, 'dana', request.id);
    await remindedAt(10, 5, 'role.expiring');
  });

  it('a grant twice reminderBefore long or longer is reminded reminderBefore ahead, as before', async () => {
    await activeGrant(h, { duration: '30m' });
    await remindedAt(30, 15, 'grant.expiring');
  });
});
