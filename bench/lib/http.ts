// A lean keep-alive HTTP client, so the client side adds as little as possible to what is
// measured: node:http with one pooled socket per concurrent caller, bodies read whole.
import http from 'node:http';

export interface Reply<T = any> {
  status: number;
  body: T;
}

export interface Client {
  json<T = any>(method: string, path: string, body?: unknown): Promise<Reply<T>>;
  /** Streams the body away, counting bytes without keeping them. */
  drain(method: string, path: string, body?: unknown): Promise<{ status: number; bytes: number }>;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

/** `prefix` is where the API lives on the server; `headers` go with every request. */
export function client(baseUrl: string, token: string, options: { prefix?: string; headers?: Record<string, string> } = {}): Client {
  const base = new URL(baseUrl);
  const { prefix = '/api/v1', headers = {} } = options;
  const send = (method: string, path: string, body: unknown, onResponse: (res: http.IncomingMessage) => void, reject: (e: Error) => void, retried = false) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      {
        agent,
        host: base.hostname,
        port: base.port,
        method,
        path: `${prefix}${path}`,
        headers: {
          ...headers,
          authorization: `Bearer ${token}`,
          ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
        },
      },
      onResponse,
    );
    req.on('error', (err: NodeJS.ErrnoException) => {
      // The service closes a connection idle for 5 s; a pooled socket can be reused just as
      // that close arrives (always so after an in-process baseline kept the event loop busy).
      // The request never reached the service then, so it is sent once more on a new socket.
      if (req.reusedSocket && err.code === 'ECONNRESET' && !retried) send(method, path, body, onResponse, reject, true);
      else reject(err);
    });
    req.end(payload);
  };
  return {
    json: (method, path, body) =>
      new Promise((resolve, reject) =>
        send(method, path, body, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            try {
              resolve({ status: res.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
            } catch (err) {
              reject(err as Error);
            }
          });
        }, reject),
      ),
    drain: (method, path, body) =>
      new Promise((resolve, reject) =>
        send(method, path, body, (res) => {
          let bytes = 0;
          res.on('data', (c: Buffer) => (bytes += c.length));
          res.on('error', reject);
          res.on('end', () => resolve({ status: res.statusCode!, bytes }));
        }, reject),
      ),
  };
}

/** Throws unless the reply has the expected status, with the service's error message. */
export function expectStatus<T>(reply: Reply<T>, status: number, what: string): T {
  if (reply.status !== status) throw new Error(`${what}: HTTP ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body;
}
