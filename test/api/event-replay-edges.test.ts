// What a reconnecting editor is replayed at the edges: everything it missed when that is more
// than one page of the ledger (200 events), a role reminder while the role holds, and no expiry
// reminder for a grant or role whose time has run out even before the expiry scheduler
// recorded it (issue 15: mutants of server/domain/event-replay.ts).
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../support/harness.js';
import { API, activeGrant, decide, requestAccess, requestRole } from './helpers.js';

const MINUTE = 60_000;

/**
 * The events alice's stream sends after `lastEventId`, up to the live request.created that a
 * request made once the stream is open brings (the replay comes first).
 */
async function replayedTo(h: Harness, lastEventId: string) {
  const res = await h.call('alice', 'GET', `${API}/events`, undefined, { 'last-event-id': lastEventId });
  assert.equal(res.status, 200);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  await requestAccess(h);
  let text = '';
  while (!text.includes('event: request.created')) text += (await reader.read()).value;
  await reader.cancel();
  return [...text.matchAll(/^event: (.+)\ndata: .*\nid: (\d+)$/gm)].map((m) => ({ type: m[1], id: Number(m[2]) }));
}

describe('event replay at the edges', () => {
  let h: Harness;
  beforeEach(async () => (h = await startHarness()));
  afterEach(async () => h.close());

  it('replays every missed event when there are more than two pages of them, in order', async () => {
    const event = { type: 'request.expired', data: { requestId: '1', project: 'shop' } } as const;
    const ids: number[] = [];
    await h.service.deps.ledger.transaction(async (tx) => {
      for (let i = 0; i < 451; i++) ids.push(Number(await tx.recordEvent('alice', event, h.clock.now())));
    });
    const events = await replayedTo(h, String(ids[0]));
    const replayed = events.filter((e) => e.type === 'request.expired').map((e) => e.id);
    assert.deepEqual(replayed, ids.slice(1));
    assert.deepEqual(events.at(-1)?.type, 'request.created');
  });

  it('leaves out a grant reminder once the grant\'s time is up, though no expiry was recorded yet', async () => {
    const grant = await activeGrant(h);
    const mark = h.auditLines().length;
    await h.advance(46 * MINUTE);
    const expiring = await h.service.deps.ledger.eventsSince('alice', '0', 1000);
    const reminder = expiring.find((e) => e.type === 'grant.expiring');
    assert.ok(reminder, 'the reminder was sent');
    h.service.scheduler.stop();
    h.clock.set(Date.parse(grant.expireTime));
    const events = await replayedTo(h, String(Number(reminder.id) - 1));
    assert.deepEqual(events.map((e) => e.type), ['request.created']);
    assert.equal(h.auditLines().slice(mark).some((l) => l.action === 'grant.expired'), false, 'the scheduler recorded nothing');
  });

  it('replays a role reminder while the role still holds', async () => {
    const request = await requestRole(h);
    await decide(h, 'bob', request.id);
    await decide(h, 'dana', request.id);
    await h.advance(46 * MINUTE);
    const reminder = (await h.service.deps.ledger.eventsSince('alice', '0', 1000)).find((e) => e.type === 'role.expiring');
    assert.ok(reminder, 'the reminder was sent');
    const events = await replayedTo(h, String(Number(reminder.id) - 1));
    assert.deepEqual(events.map((e) => e.type), ['role.expiring', 'request.created']);
  });

  it('leaves out a role reminder once the role\'s time is up, though no expiry was recorded yet', async () => {
    const request = await requestRole(h);
    await decide(h, 'bob', request.id);
    const bindingId = (await decide(h, 'dana', request.id)).bindingId as string;
    await h.advance(46 * MINUTE);
    const reminder = (await h.service.deps.ledger.eventsSince('alice', '0', 1000)).find((e) => e.type === 'role.expiring');
    assert.ok(reminder, 'the reminder was sent');
    h.service.scheduler.stop();
    h.clock.set((await h.service.deps.ledger.getBinding(bindingId))!.expireTime);
    const events = await replayedTo(h, String(Number(reminder.id) - 1));
    assert.deepEqual(events.map((e) => e.type), ['request.created']);
  });
});
