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
  /** The status for the next POST to a path (200 unless set); a promise holds the answer back until it settles. */
  answer: (path: string, nth: number) => number | Promise<number>;
  /** Resolves once `count` POSTs to the path have been answered. */
  answered(path: string, count: number): Promise<void>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const waiters: { path: string; count: number; resolve: () => void }[] = [];
  const answeredOn = (path: string) => received.filter((r) => r.path === path).length;
  const receiver: Receiver = {
    url: (path) => `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`,
    received,
    delivered: (path) => received.filter((r) => r.path === path && r.status < 300),
    answer: () => 200,
    answered: (path, count) => new Promise((resolve) => (answeredOn(path) >= count ? resolve() : waiters.push({ path, count, resolve }))),
    async close() {
      server.close();
      server.closeAllConnections();
      await once(server, 'close');
    },
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const path = req.url ?? '/';
      const body = Buffer.concat(chunks).toString('utf8');
      const status = await receiver.answer(path, answeredOn(path));
      received.push({ path, headers: req.headers, body, json: JSON.parse(body), status });
      res.writeHead(status).end();
      for (const w of waiters.filter((x) => x.path === path && answeredOn(path) >= x.count)) w.resolve();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return receiver;
}
