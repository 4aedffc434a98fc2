import assert from 'node:assert/strict';
import { backoffDelay, EventStream, readServerSentEvents, type ServerSentEvent, type ServiceEvent, type StreamStatus } from '../../../extension/core/event-stream.js';

async function* chunks(...parts: string[]) {
  for (const part of parts) yield new TextEncoder().encode(part);
}

async function collect(source: AsyncIterable<ServerSentEvent>): Promise<ServerSentEvent[]> {
  const out: ServerSentEvent[] = [];
  for await (const e of source) out.push(e);
  return out;
}

describe('readServerSentEvents', () => {
  it('parses named events with JSON data across arbitrary chunk boundaries', async () => {
    const events = await collect(readServerSentEvents(chunks('event: grant.activ', 'ated\ndata: {"grant":', '{"id":"g1"}}\n', '\n: keep-alive\n\nevent: request.created\r\ndata: {"id":"r1"}\r\n\r\n')));
    assert.deepEqual(events, [
      { type: 'grant.activated', data: { grant: { id: 'g1' } } },
      { type: 'request.created', data: { id: 'r1' } },
    ]);
  });

  it('gives each event the last id the stream named, carried over to events that name none', async () => {
    const events = await collect(readServerSentEvents(chunks('id: 7\nevent: a\ndata: 1\n\nevent: b\ndata: 2\n\nid: 9\nevent: c\ndata: 3\n\n')));
    assert.deepEqual(events.map((e) => [e.type, e.id]), [['a', '7'], ['b', '7'], ['c', '9']]);
  });

  it('joins multi-line data and keeps non-JSON data as text', async () => {
    const events = await collect(readServerSentEvents(chunks('data: hello\ndata: world\n\n')));
    assert.deepEqual(events, [{ type: 'message', data: 'hello\nworld' }]);
  });
});

const REVOKED = 'event: grant.revoked\ndata: {"grantId":"g1","project":"shop","by":"bob"}\n\n';
const EXPIRING = 'event: grant.expiring\ndata: {"grantId":"g1","project":"shop","expireTime":"2026-11-25T21:00:00.000Z"}\n\n';
const AWAITING = 'event: approval.awaiting\ndata: {"requestId":"17","project":"shop","type":"ACCESS_GRANT","requester":"alice","step":0,"summary":"alice: SELECT 1"}\n\n';

/** Runs a stream over the bodies given, one per connection, until it has connected `connections` times. */
async function streamOf(bodies: string[], options: { connections: number; lastEventId?: string }) {
  const sent: (string | undefined)[] = [];
  const delivered: ServiceEvent[] = [];
  const skipped: string[] = [];
  let waited!: () => void;
  const done = new Promise<void>((resolve) => (waited = resolve));
  const stream = new EventStream({
    lastEventId: options.lastEventId,
    connect: async (_signal, lastEventId) => {
      sent.push(lastEventId);
      return new Response(bodies.shift() ?? '');
    },
    onEvent: (e) => delivered.push(e),
    onSkipped: (problem) => skipped.push(problem),
    onStatus: () => undefined,
    sleep: async () => {
      if (sent.length === options.connections) waited();
    },
  });
  stream.start();
  await done;
  await stream.dispose();
  return { sent, delivered, skipped, lastEventId: stream.lastEventId };
}

describe('EventStream', () => {
  it('backs off exponentially up to a cap', () => {
    assert.deepEqual([0, 1, 2, 3, 10].map((n) => backoffDelay(n, 1000, 30_000)), [1000, 2000, 4000, 8000, 30_000]);
  });

  it('reconnects after a failure and after the stream ends, resetting the back-off once connected', async () => {
    const statuses: StreamStatus[] = [];
    const delays: number[] = [];
    const events: string[] = [];
    let attempts = 0;
    let thirdWait!: () => void;
    const waitedThrice = new Promise<void>((resolve) => (thirdWait = resolve));
    const stream = new EventStream({
      connect: async () => {
        attempts++;
        if (attempts === 1) throw new Error('ECONNREFUSED');
        return new Response(REVOKED);
      },
      onEvent: (e) => events.push(e.type),
      onSkipped: (problem) => assert.fail(problem),
      onStatus: (s) => statuses.push(s),
      sleep: async (ms) => {
        delays.push(ms);
        if (delays.length === 3) thirdWait();
      },
      initialDelayMs: 100,
    });
    stream.start();
    await waitedThrice;
    await stream.dispose();
    assert.equal(attempts, 3);
    assert.deepEqual(events, ['grant.revoked', 'grant.revoked']);
    assert.deepEqual(statuses.slice(0, 5), ['connecting', 'disconnected', 'connecting', 'connected', 'disconnected']);
    assert.deepEqual(delays, [100, 100, 100]);
  });

  it('sends the last id it delivered when it reconnects, starting from the one it was given, and drops replayed duplicates', async () => {
    const { sent, delivered, lastEventId } = await streamOf(
      // The service replays from 6 on but the reconnect overlaps: 6 again, then 7.
      [`id: 5\n${EXPIRING}id: 6\n${REVOKED}`, `id: 6\n${REVOKED}id: 7\n${AWAITING}`],
      { connections: 2, lastEventId: '4' },
    );
    assert.deepEqual(sent, ['4', '6']);
    assert.deepEqual(delivered.map((e) => `${e.id} ${e.type}`), ['5 grant.expiring', '6 grant.revoked', '7 approval.awaiting']);
    assert.equal(lastEventId, '7');
  });

  it('delivers each event with the payload its schema reads', async () => {
    const { delivered } = await streamOf([`id: 3\n${AWAITING}`], { connections: 1 });
    assert.deepEqual(delivered, [{ type: 'approval.awaiting', id: '3', data: { requestId: '17', project: 'shop', type: 'ACCESS_GRANT', requester: 'alice', step: 0, summary: 'alice: SELECT 1' } }]);
  });

  it('skips an event of an unknown name or with a malformed payload, says why, and goes on past it', async () => {
    const { sent, delivered, skipped, lastEventId } = await streamOf(
      [
        'id: 1\nevent: grant.teleported\ndata: {"grantId":"g1"}\n\n' +
          'id: 2\nevent: grant.revoked\ndata: {"grantId":7,"project":"shop"}\n\n' +
          'id: 3\nevent: grant.revoked\ndata: not json\n\n' +
          `id: 4\n${REVOKED}`,
        'id: 5\nevent: role.expired\ndata: {"bindingId":"b1","role":"king","project":"shop"}\n\n',
      ],
      { connections: 2 },
    );
    assert.deepEqual(delivered.map((e) => `${e.id} ${e.type}`), ['4 grant.revoked']);
    assert.equal(skipped.length, 4);
    assert.match(skipped[0], /^unknown event "grant\.teleported" \(#1\)$/);
    assert.match(skipped[1], /^malformed "grant\.revoked" event: grantId: .*; by: .* \(#2\)$/);
    assert.match(skipped[2], /^malformed "grant\.revoked" event: data: .* \(#3\)$/);
    assert.match(skipped[3], /^malformed "role\.expired" event: role: .* \(#5\)$/);
    assert.deepEqual(sent, [undefined, '4']);
    assert.equal(lastEventId, '5');
  });
});
