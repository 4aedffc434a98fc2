// A real HTTP receiver on loopback for webhook tests: it records every POST it gets and
// answers with the status the test chooses, per path.
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: any;
  status: number;
}

export interface Receiver {
  url(path: string): string;
  /** What it was sent, oldest first, with what it answered. */
  received: Received[];
  /** Answered so far, on this path, with a 2xx. */
  delivered(path: string): Received[];
  /** The status for the next POST to a path (200 unless set). */
  answer: (path: string, nth: number) => number;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const receiver: Receiver = {
    url: (path) => `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`,
    received,
    delivered: (path) => received.filter((r) => r.path === path && r.status < 300),
    answer: () => 200,
    async close() {
      server.close();
      server.closeAllConnections();
      await once(server, 'close');
    },
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      const status = receiver.answer(path, received.filter((r) => r.path === path).length);
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ path, headers: req.headers, body, json: JSON.parse(body), status });
      res.writeHead(status).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return receiver;
}
