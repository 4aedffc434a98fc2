// Events that reach people: every event has an id, a client that reconnects with the last id
// it saw gets what it missed (reminders only while they still hold), and approvers are told
// when a step awaits them — nobody else is.
import assert from 'node:assert/strict';
import type { ServiceEvent } from '../../server/events/bus.js';
import { EVENT_RETENTION } from '../../server/store/ledger.js';
import { startHarness, testConfig, type Harness } from '../support/harness.js';
import { API, activeGrant, addOtherUsers, callAs, decide, rawAs, requestAccess, requestRole, type AnyUser } from './helpers.js';

const MINUTE = 60_000;

interface SseEvent {
  id: string;
  event: string;
  data: any;
}

/** Opens the caller's stream, replaying after `lastEventId` sent as a header or as a query. */
async function openStream(h: Harness, user: AnyUser, after?: { header?: string; query?: string }) {
  const path = `${API}/events${after?.query === undefined ? '' : `?lastEventId=${after.query}`}`;
  const res = after?.header === undefined ? await rawAs(h, user, 'GET', path) : await h.call(user as 'alice', 'GET', path, undefined, { 'last-event-id': after.header });
  assert.equal(res.status, 200);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  const events: SseEvent[] = [];
  return {
    /** Reads until an event of this type arrived; returns every event so far. */
    async until(type: string) {
      while (!events.some((e) => e.event === type)) {
        text += (await reader.read()).value;
        const blocks = text.split('\n\n');
        text = blocks.pop()!;
        for (const block of blocks.filter((b) => !b.startsWith(':'))) {
          const field = (name: string) => new RegExp(`^${name}: (.*)$`, 'm').exec(block)?.[1];
          events.push({ id: field('id')!, event: field('event')!, data: JSON.parse(field('data')!) });
        }
      }
      await reader.cancel();
      return events;
    },
  };
}

function inbox(h: Harness, users: AnyUser[]) {
  const got = new Map<string, ServiceEvent[]>(users.map((u) => [u, []]));
  for (const u of users) h.service.deps.events.subscribe(u, (e) => got.get(u)!.push(e));
  return {
    of: (user: AnyUser) => got.get(user)!,
    /** The users who received an event of this type. */
    who: (type: string) => users.filter((u) => got.get(u)!.some((e) => e.type === type)),
  };
}

describe('events: ids, replay and approval notices', () => {
  let h: Harness;
  beforeEach(async () => (h = await startHarness(testConfig(addOtherUsers))));
  afterEach(async () => h.close());

  /** alice's active grant on demo/sales for 1h, and the id of her grant.activated event. */
  async function grantWithMark() {
    const box = inbox(h, ['alice']);
    const grant = await activeGrant(h);
    return { grant, mark: box.of('alice').find((e) => e.type === 'grant.activated')!.id };
  }

  it('every event carries an id, on the stream too, each delivery its own, increasing', async () => {
    const box = inbox(h, ['alice', 'bob']);
    const bob = await openStream(h, 'bob');
    const { request } = await requestAccess(h);
    const [created] = await bob.until('request.created');
    assert.match(created.id, /^\d+$/);
    assert.equal(created.id, box.of('bob').find((e) => e.type === 'request.created')!.id);
    await decide(h, 'bob', request.id);
    const ids = [...box.of('alice'), ...box.of('bob')].map((e) => Number(e.id));
    assert.ok(ids.length >= 4);
    assert.equal(new Set(ids).size, ids.length, 'each delivery has its own id');
    assert.deepEqual(box.of('alice').map((e) => Number(e.id)), box.of('alice').map((e) => Number(e.id)).sort((a, b) => a - b));
  });

  it('a reminder sent while the editor was closed is replayed on reconnect (Last-Event-ID), then live events follow', async () => {
    const { grant, mark } = await grantWithMark();
    await h.advance(46 * MINUTE); // inside reminderBefore (15m) of the 1h grant, with no stream open
    const alice = await openStream(h, 'alice', { header: mark });
    const replayed = await alice.until('grant.expiring');
    assert.deepEqual(replayed.map((e) => [e.event, e.data.grantId]), [['grant.expiring', grant.id]]);
    assert.ok(Number(replayed[0].id) > Number(mark));
    const again = await openStream(h, 'alice', { header: replayed[0].id });
    await callAs(h, 'alice', 'POST', `${API}/grants/${grant.id}/revoke`, {});
    assert.deepEqual((await again.until('grant.revoked')).map((e) => e.event), ['grant.revoked'], 'only what came after the id');
  });

  it('takes the last id as ?lastEventId= too, and keeps the events across a restart', async () => {
    const { grant, mark } = await grantWithMark();
    await h.advance(46 * MINUTE);
    await h.restart();
    const replayed = await (await openStream(h, 'alice', { query: mark })).until('grant.expiring');
    assert.deepEqual(replayed.map((e) => [e.event, e.data.grantId]), [['grant.expiring', grant.id]]);
  });

  it('leaves out reminders that no longer hold: the grant was revoked since', async () => {
    const { grant, mark } = await grantWithMark();
    await h.advance(46 * MINUTE);
    assert.equal((await callAs(h, 'bob', 'POST', `${API}/grants/${grant.id}/revoke`, {})).status, 200);
    const replayed = await (await openStream(h, 'alice', { header: mark })).until('grant.revoked');
    assert.deepEqual(replayed.map((e) => e.event), ['grant.revoked']);
  });

  it('leaves out a role reminder once the role expired, and replays the expiry', async () => {
    const box = inbox(h, ['alice']);
    const request = await requestRole(h);
    await decide(h, 'bob', request.id);
    await decide(h, 'dana', request.id);
    const mark = box.of('alice').find((e) => e.type === 'role.activated')!.id;
    await h.advance(46 * MINUTE);
    await h.advance(15 * MINUTE);
    assert.deepEqual(box.of('alice').slice(-2).map((e) => e.type), ['role.expiring', 'role.expired']);
    const replayed = await (await openStream(h, 'alice', { header: mark })).until('role.expired');
    assert.deepEqual(replayed.map((e) => e.event), ['role.expired']);
  });

  it('a stream opened without a last id replays nothing', async () => {
    await grantWithMark();
    const alice = await openStream(h, 'alice');
    const { grant } = await requestAccess(h);
    const events = await alice.until('request.created');
    assert.deepEqual(events.map((e) => [e.event, e.data.requestId]), [['request.created', grant.requestId]]);
  });

  it('a last id from before a reset of the ledger (higher than any) still gets live events', async () => {
    const alice = await openStream(h, 'alice', { header: '999999' });
    const { grant } = await requestAccess(h);
    assert.deepEqual((await alice.until('request.created')).map((e) => [e.event, e.data.requestId]), [['request.created', grant.requestId]]);
  });

  it('refuses a last id that is not one of ours (400)', async () => {
    for (const bad of ['abc', '-1', '1e3']) {
      const res = await h.call('alice', 'GET', `${API}/events`, undefined, { 'last-event-id': bad });
      assert.equal(res.status, 400, bad);
      assert.match((await res.json()).error.message, /Last-Event-ID must be the id of an event/);
    }
    assert.equal((await h.call('alice', 'GET', `${API}/events?lastEventId=x`)).status, 400);
  });

  it('keeps at most the newest events per user, and none older than the retention', async () => {
    const ledger = h.service.deps.ledger;
    const event = { type: 'request.expired', data: { requestId: '1', project: 'shop' } } as const;
    const t0 = h.clock.now();
    await ledger.transaction(async (tx) => {
      for (let i = 0; i < EVENT_RETENTION.perUser + 5; i++) await tx.recordEvent('carol', event, t0);
      await tx.recordEvent('olga', event, t0);
    });
    const carol = await ledger.eventsSince('carol', '0', 5000);
    assert.equal(carol.length, EVENT_RETENTION.perUser);
    assert.equal((await ledger.eventsSince('olga', '0', 10)).length, 1, 'another user\'s events are not pruned with them');
    await ledger.transaction((tx) => tx.recordEvent('olga', event, t0 + EVENT_RETENTION.ms + 1));
    assert.equal((await ledger.eventsSince('olga', '0', 10)).length, 1, 'the week-old one is gone');
  });

  describe('approval.awaiting', () => {
    it('tells the approvers of the current step, not the requester nor others, and again when it advances', async () => {
      const box = inbox(h, ['alice', 'bob', 'dana', 'admin', 'carol', 'olga']);
      const { request } = await requestAccess(h, { databases: ['demo/hr'], statement: 'SELECT name, email\n  FROM employees', unmask: true });
      assert.deepEqual(box.who('approval.awaiting'), ['bob']);
      const notice = box.of('bob').find((e) => e.type === 'approval.awaiting')!;
      assert.deepEqual(notice.data, {
        requestId: request.id, project: 'shop', type: 'ACCESS_GRANT', requester: 'alice', step: 0,
        summary: 'alice: SELECT name, email FROM employees on demo/hr',
      });
      await decide(h, 'bob', request.id);
      assert.deepEqual(box.who('approval.awaiting'), ['bob', 'dana']);
      const second = box.of('dana').filter((e) => e.type === 'approval.awaiting');
      assert.deepEqual(second.map((e) => [e.data.requestId, e.data.step]), [[request.id, 1]]);
      assert.equal(box.of('bob').filter((e) => e.type === 'approval.awaiting').length, 1, 'bob approved step 1 and cannot decide step 2');
      await decide(h, 'dana', request.id);
      assert.equal(box.of('dana').filter((e) => e.type === 'approval.awaiting').length, 1, 'nothing awaits after the last step');
    });

    describe('with two owners who could decide the first step', () => {
      beforeEach(async () => {
        await h.close();
        h = await startHarness(testConfig((c) => {
          addOtherUsers(c);
          c.projects[0].members.find((m) => m.user === 'carol')!.roles.push('projectOwner');
        }));
      });

      for (const decision of ['approve', 'reject'] as const) {
        it(`tells the other one when bob decides it (${decision}), so nothing still seems to await her`, async () => {
          const box = inbox(h, ['bob', 'carol', 'olga']);
          const { request } = await requestAccess(h, { databases: ['demo/hr'], statement: 'SELECT name FROM employees' });
          assert.deepEqual(box.who('approval.awaiting'), ['bob', 'carol']);
          await decide(h, 'bob', request.id, decision);
          const type = decision === 'approve' ? 'request.approved' : 'request.rejected';
          assert.deepEqual(box.who(type), ['carol'], 'bob decided it himself; olga is not an approver');
          const told = box.of('carol').find((e) => e.type === type);
          assert.equal(told?.type === type && told.data.requestId, request.id);
        });
      }
    });

    it('summarizes a role request, and shortens a long statement to one line', async () => {
      const box = inbox(h, ['bob']);
      await requestRole(h, { role: 'sqlEditorUser', databases: ['demo/sales'], duration: '2h' });
      await requestAccess(h, { statement: `SELECT ${'country, '.repeat(20)}1 FROM customers` });
      const summaries = box.of('bob').filter((e) => e.type === 'approval.awaiting').map((e) => e.data.summary as string);
      assert.equal(summaries[0], 'alice: role sqlEditorUser on demo/sales for 2h');
      assert.match(summaries[1], /^alice: SELECT country, country, .{30,}… on demo\/sales$/);
    });
  });
});
