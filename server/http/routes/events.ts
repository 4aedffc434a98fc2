// Server-Sent Events for the caller: what happens to its requests and grants, and requests
// awaiting its approval. A comment line every 15 s keeps proxies from closing the stream.
import { createRoute } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import type { Deps } from '../../domain/deps.js';
import type { ServiceEvent } from '../../events/bus.js';
import { errors, router, secured } from '../env.js';

const HEARTBEAT_MS = 15_000;

const events = createRoute({
  method: 'get', path: '/events', security: secured,
  summary: 'Stream the caller\'s events (Server-Sent Events)',
  responses: { 200: { description: 'text/event-stream of request.*, grant.* and role.* events', content: { 'text/event-stream': { schema: { type: 'string' } } } }, 401: errors[401] },
});

export const eventRoutes = (deps: Deps) =>
  router().openapi(events, (c) =>
    streamSSE(c, async (stream) => {
      const actor = c.get('actor');
      const tokenHash = (await deps.config.read()).users.find((u) => u.id === actor.id)?.tokenHash;
      const queue: ServiceEvent[] = [];
      let wake: (() => void) | undefined;
      const unsubscribe = deps.events.subscribe(actor.id, (event) => {
        queue.push(event);
        wake?.();
      });
      const heartbeat = setInterval(() => wake?.(), HEARTBEAT_MS);
      stream.onAbort(() => wake?.());
      try {
        await stream.write(': connected\n\n');
        while (!stream.aborted && !stream.closed) {
          if (queue.length === 0) {
            await new Promise<void>((resolve) => (wake = resolve));
            wake = undefined;
            if (queue.length === 0 && !stream.aborted) await stream.write(': keep-alive\n\n');
          }
          // A user deleted (or whose token changed) while the stream is open gets nothing more:
          // the token was checked when the stream opened, so check the user again before sending.
          if (!(await deps.config.read()).users.some((u) => u.id === actor.id && u.tokenHash === tokenHash)) break;
          for (const event of queue.splice(0)) await stream.writeSSE({ event: event.type, data: JSON.stringify(event.data) });
        }
      } finally {
        clearInterval(heartbeat);
        unsubscribe();
      }
    }),
  );
