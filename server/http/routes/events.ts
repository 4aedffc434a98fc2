// Server-Sent Events for the caller: what happens to its requests and grants, and requests
// awaiting its approval. A comment line every 15 s keeps proxies from closing the stream.
// Every event has an id; a client reconnecting with the last one it saw gets what it missed
// first (recorded by the ledger with each change), then live events.
import { createRoute, z } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import { EVENT_SCHEMAS, EVENT_TYPES } from '../../../contract/events.js';
import type { Deps } from '../../domain/deps.js';
import { invalid } from '../../domain/errors.js';
import { missedEvents } from '../../domain/event-replay.js';
import type { ServiceEvent } from '../../events/bus.js';
import { errors, router, secured } from '../env.js';

const HEARTBEAT_MS = 15_000;
const EVENT_ID = /^\d{1,18}$/;

/** Each message the stream may carry, by its `event:` name, with the JSON schema of its `data:` (contract/events.ts). */
function eventMessages() {
  return {
    type: 'string' as const,
    description: 'A sequence of messages of `id:`, `event:` and `data:` lines; the data is JSON, as the schema for the event name says.',
    oneOf: EVENT_TYPES.map((name) => {
      // A `$schema` has no place inside an OpenAPI document. zod types its JSON Schema apart
      // from OpenAPI's schema object, though in OpenAPI 3.1 the one is the other.
      const { $schema, ...data } = z.toJSONSchema(EVENT_SCHEMAS[name]) as { $schema: string; type: 'object' };
      return { title: name, type: 'object' as const, properties: { id: { type: 'string' as const }, event: { const: name }, data }, required: ['id', 'event', 'data'] };
    }),
  };
}

const events = createRoute({
  method: 'get', path: '/events', security: secured,
  summary: 'Stream the caller\'s events (Server-Sent Events)',
  description:
    'Each event has an `id:`. Reconnect with the header `Last-Event-ID` (or `?lastEventId=`) to get the events recorded for you after it first ' +
    '(kept 7 days, at most 1000 per user; reminders for grants and roles that ended are left out), then live ones.',
  request: {
    query: z.object({ lastEventId: z.string().max(32).optional().openapi({ description: 'For clients that cannot set Last-Event-ID' }) }),
    headers: z.object({ 'last-event-id': z.string().max(32).optional() }),
  },
  responses: {
    200: { description: 'text/event-stream of request.*, approval.awaiting, grant.* and role.* events', content: { 'text/event-stream': { schema: eventMessages() } } },
    400: errors[400],
    401: errors[401],
  },
});

export const eventRoutes = (deps: Deps) =>
  router().openapi(events, (c) => {
    const lastEventId = c.req.valid('header')['last-event-id'] ?? c.req.valid('query').lastEventId;
    if (lastEventId !== undefined && !EVENT_ID.test(lastEventId)) {
      throw invalid('Last-Event-ID must be the id of an event this service sent (digits)', { field: 'lastEventId' });
    }
    return streamSSE(c, async (stream) => {
      const actor = c.get('actor');
      const tokenHash = (await deps.config.read()).users.find((u) => u.id === actor.id)?.tokenHash;
      // A static token is checked against the config again; an identity-provider token holds until its exp.
      const signedIn = async () =>
        actor.expiresAt !== undefined ? deps.clock.now() < actor.expiresAt : (await deps.config.read()).users.some((u) => u.id === actor.id && u.tokenHash === tokenHash);
      const queue: ServiceEvent[] = [];
      let wake: (() => void) | undefined;
      // Subscribed before the replay is read, so nothing committed in between is lost; what
      // arrives both ways is sent once (ids only grow).
      const unsubscribe = deps.events.subscribe(actor.id, (event) => {
        queue.push(event);
        wake?.();
      });
      const heartbeat = setInterval(() => wake?.(), HEARTBEAT_MS);
      stream.onAbort(() => wake?.());
      let sent = 0;
      const send = async (event: ServiceEvent) => {
        if (Number(event.id) <= sent) return;
        sent = Number(event.id);
        await stream.writeSSE({ id: event.id, event: event.type, data: JSON.stringify(event.data) });
      };
      try {
        await stream.write(': connected\n\n');
        // `sent` starts at 0, not at the client's id: after a ledger reset ids start again, and
        // live events must not be dropped for being below an id from before it.
        if (lastEventId !== undefined) {
          for await (const event of missedEvents(deps.ledger, actor.id, lastEventId, deps.clock.now())) await send(event);
        }
        while (!stream.aborted && !stream.closed) {
          if (queue.length === 0) {
            await new Promise<void>((resolve) => (wake = resolve));
            wake = undefined;
            if (queue.length === 0 && !stream.aborted) await stream.write(': keep-alive\n\n');
          }
          // A user deleted (or whose token changed or expired) while the stream is open gets nothing
          // more: the token was checked when the stream opened, so check it again before sending.
          if (!(await signedIn())) break;
          for (const event of queue.splice(0)) await send(event);
        }
      } finally {
        clearInterval(heartbeat);
        unsubscribe();
      }
    });
  });
