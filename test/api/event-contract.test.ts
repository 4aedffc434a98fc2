// The events as the extension reads them: every event a user's stream carries, over a
// request's, a grant's and a role's whole life, is what the contract's schema for its name
// reads, so the extension skips none of them.
import assert from 'node:assert/strict';
import { EVENT_TYPES, readEvent } from '../../contract/events.js';
import { readServerSentEvents, type ServerSentEvent } from '../../extension/core/event-stream.js';
import type { ServiceEvent } from '../../server/events/bus.js';
import { startHarness, testConfig, type Harness } from '../support/harness.js';
import { API, activeGrant, addOtherUsers, callAs, decide, rawAs, requestAccess, requestRole, type AnyUser } from './helpers.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** The user's event stream, opened now, and what the bus delivered to them meanwhile. */
async function listen(h: Harness, user: AnyUser) {
  const res = await rawAs(h, user, 'GET', `${API}/events`);
  assert.equal(res.status, 200);
  const delivered: ServiceEvent[] = [];
  h.service.deps.events.subscribe(user, (e) => delivered.push(e));
  return {
    /** As many events off the stream as the bus delivered. */
    async read(): Promise<ServerSentEvent[]> {
      const events: ServerSentEvent[] = [];
      for await (const event of readServerSentEvents(res.body! as unknown as AsyncIterable<Uint8Array>)) {
        events.push(event);
        if (events.length === delivered.length) break;
      }
      return events;
    },
  };
}

describe('events on the wire', () => {
  let h: Harness;
  beforeEach(async () => (h = await startHarness(testConfig(addOtherUsers))));
  afterEach(async () => h.close());

  it('are, every one of them, what the schema for their name reads', async () => {
    const streams = await Promise.all((['alice', 'bob', 'dana'] as const).map((user) => listen(h, user)));

    const revoked = await activeGrant(h);
    await callAs(h, 'alice', 'POST', `${API}/grants/${revoked.id}/revoke`, { reason: 'done' });
    await decide(h, 'bob', (await requestAccess(h)).request.id, 'reject');
    await decide(h, 'alice', (await requestAccess(h)).request.id, 'cancel');
    for (const role of ['sqlEditorUser', 'projectExporter']) {
      const request = await requestRole(h, { role });
      await decide(h, 'bob', request.id);
      await decide(h, 'dana', request.id);
    }
    const exporter = (await callAs(h, 'alice', 'GET', `${API}/me`)).body.projects.find((p: { id: string }) => p.id === 'shop').roles.find((r: { role: string }) => r.role === 'projectExporter');
    await callAs(h, 'alice', 'POST', `${API}/role-bindings/${exporter.bindingId}/revoke`, {});
    await activeGrant(h);
    await requestAccess(h);
    await h.advance(HOUR - 10 * MINUTE);
    await h.advance(24 * HOUR);

    const events = (await Promise.all(streams.map((s) => s.read()))).flat();
    const unread = events.map((e) => ({ e, read: readEvent(e.type, e.data) })).filter(({ read }) => 'problem' in read);
    assert.deepEqual(unread, []);
    assert.deepEqual([...new Set(events.map((e) => e.type))].sort(), [...EVENT_TYPES].sort(), 'every kind of event was sent');
  });
});
