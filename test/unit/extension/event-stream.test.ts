import assert from 'node:assert/strict';
import { backoffDelay, EventStream, readServerSentEvents, type ServiceEvent, type StreamStatus } from '../../../extension/core/event-stream.js';

async function* chunks(...parts: string[]) {
  for (const part of parts) yield new TextEncoder().encode(part);
}

async function collect(source: AsyncIterable<ServiceEvent>): Promise<ServiceEvent[]> {
  const out: ServiceEvent[] = [];
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
        return new Response('event: grant.revoked\ndata: {"id":"g1"}\n\n');
      },
      onEvent: (e) => events.push(e.type),
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
    const sent: (string | undefined)[] = [];
    const delivered: string[] = [];
    const bodies = [
      'id: 5\nevent: grant.expiring\ndata: {}\n\nid: 6\nevent: grant.revoked\ndata: {}\n\n',
      // The service replays from 6 on but the reconnect overlaps: 6 again, then 7.
      'id: 6\nevent: grant.revoked\ndata: {}\n\nid: 7\nevent: approval.awaiting\ndata: {}\n\n',
    ];
    let waited!: () => void;
    const done = new Promise<void>((resolve) => (waited = resolve));
    const stream = new EventStream({
      lastEventId: '4',
      connect: async (_signal, lastEventId) => {
        sent.push(lastEventId);
        return new Response(bodies.shift() ?? '');
      },
      onEvent: (e) => delivered.push(`${e.id} ${e.type}`),
      onStatus: () => undefined,
      sleep: async () => {
        if (sent.length === 2) waited();
      },
    });
    stream.start();
    await done;
    await stream.dispose();
    assert.deepEqual(sent, ['4', '6']);
    assert.deepEqual(delivered, ['5 grant.expiring', '6 grant.revoked', '7 approval.awaiting']);
    assert.equal(stream.lastEventId, '7');
  });
});
