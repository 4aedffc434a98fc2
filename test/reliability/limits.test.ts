// Resource limits: body size, result and export row caps, the statement timeout, a slow client
// reading a large export (back-pressure: the service must not buffer it), and many open SSE
// connections (all served, all released).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { seedDemoDatabases } from '../../server/demo/seed.js';
import { client, startChild, writeConfig, type Child } from './support/child.js';
import { reliabilityConfig, withFreshTokens, withPostgresInstance } from './support/config.js';
import { activeGrant, API, request, startRel, TOKENS, type Rel } from './support/inproc.js';
import { figures, record } from './support/outputs.js';

async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 15_000, stepMs = 20): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/** A raw request over a real socket: status, headers and the response stream. */
function rawRequest(url: string, opts: http.RequestOptions, body?: (req: http.ClientRequest) => void): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { agent: false, ...opts }, resolve);
    req.on('error', reject);
    if (body) body(req);
    else req.end();
  });
}

/** CPU time the process has used so far, in ms. */
function cpuMs(pid: number): number {
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime, in 10 ms ticks (USER_HZ)
}

async function readAll(res: http.IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of res) text += chunk;
  return text;
}

describe('resource limits', function () {
  this.timeout(90_000);

  describe('in-process service on a real socket', () => {
    let r: Rel;
    let server: ReturnType<typeof serve>;
    let base: string;
    before(async () => {
      r = await startRel();
      server = serve({ fetch: r.h.service.app.fetch, hostname: '127.0.0.1', port: 0 });
      await once(server, 'listening');
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(async () => {
      (server as http.Server).closeAllConnections?.();
      await new Promise((res) => server.close(() => res(undefined)));
      await r.close();
    });

    it('a body over 256 KiB is 413 PAYLOAD_TOO_LARGE — with a Content-Length or chunked — and changes nothing', async () => {
      const big = { databases: ['demo/sales'], statement: 'SELECT 1 AS one', duration: '1h', reason: 'x'.repeat(300 * 1024) };
      const before = r.audit().length;
      const inProcess = await r.call('alice', 'POST', `${API}/projects/shop/access-requests`, big);
      assert.equal(inProcess.status, 413);
      assert.equal(inProcess.body.error.code, 'PAYLOAD_TOO_LARGE');
      for (const chunked of [false, true]) {
        const payload = JSON.stringify(big);
        const headers: Record<string, string> = { authorization: `Bearer ${TOKENS.alice}`, 'content-type': 'application/json' };
        if (!chunked) headers['content-length'] = String(Buffer.byteLength(payload));
        const res = await rawRequest(`${base}${API}/projects/shop/access-requests`, { method: 'POST', headers }, (req) => {
          // Chunked: no length up front, the body arrives in pieces.
          for (let i = 0; i < payload.length; i += 64 * 1024) req.write(payload.slice(i, i + 64 * 1024));
          req.end();
        }).catch((err: NodeJS.ErrnoException) => {
          // The service may answer and close before the whole body is sent.
          if (err.code === 'EPIPE' || err.code === 'ECONNRESET') return undefined;
          throw err;
        });
        if (res) {
          assert.equal(res.statusCode, 413, `chunked=${chunked}`);
          assert.equal(JSON.parse(await readAll(res)).error.code, 'PAYLOAD_TOO_LARGE');
        }
      }
      assert.equal(r.audit().length, before, 'nothing was recorded');
      assert.equal((await r.h.service.deps.ledger.listRequests({})).length, 0);
    });

    it('huge and repeated headers over a real socket are refused (431 or 401), and the service goes on', async () => {
      const huge = await rawRequest(`${base}${API}/me`, { headers: { authorization: `Bearer ${'a'.repeat(64 * 1024)}` } }).catch((err: NodeJS.ErrnoException) => err);
      if (!(huge instanceof Error)) {
        assert.ok([401, 431].includes(huge.statusCode!), `a 64 KiB Authorization header → ${huge.statusCode}`);
        huge.resume();
      }
      const many = await rawRequest(`${base}${API}/me`, {
        // Node sends an array as one header line per value.
        headers: { authorization: [`Bearer ${TOKENS.alice}`, `Bearer ${TOKENS.admin}`], 'x-filler': Array.from({ length: 200 }, (_, i) => `v${i}`) } as unknown as http.OutgoingHttpHeaders,
      });
      assert.equal(many.statusCode, 401, 'two Authorization headers are not one token');
      many.resume();
      const me = await fetch(`${base}${API}/me`, { headers: { authorization: `Bearer ${TOKENS.alice}` } });
      assert.equal(me.status, 200);
    });

    it('the result row cap truncates runs and direct queries, and says so', async () => {
      assert.equal((await r.call('admin', 'PATCH', `${API}/workspace/settings`, { maxResultRows: 10 })).status, 200);
      try {
        const grant = await activeGrant(r, { statement: 'SELECT id, product FROM orders' });
        const run = await r.call('alice', 'POST', `${API}/grants/${grant.id}/run`, {});
        assert.equal(run.status, 200);
        assert.equal(run.body.rowCount, 10);
        assert.equal(run.body.rows.length, 10);
        assert.equal(run.body.truncated, true);
        const line = r.audit().filter((l) => l.action === 'grant.run' && l.grantId === grant.id)[0];
        assert.equal(line.rowCount, 10);
        assert.equal(line.detail.truncated, true);
        const exact = await activeGrant(r, { statement: 'SELECT id FROM orders LIMIT 10' });
        const full = await r.call('alice', 'POST', `${API}/grants/${exact.id}/run`, {});
        assert.equal(full.body.truncated, false, 'exactly the cap is not truncated');
        const query = await r.call('bob', 'POST', `${API}/projects/shop/query`, { database: 'demo/sales', statement: 'SELECT id FROM customers' });
        assert.equal(query.body.rowCount, 10);
        assert.equal(query.body.truncated, true);
      } finally {
        await r.call('admin', 'PATCH', `${API}/workspace/settings`, { maxResultRows: 10_000 });
      }
    });

    it('the export row cap stops an export at maxExportRows', async () => {
      assert.equal((await r.call('admin', 'PATCH', `${API}/workspace/settings`, { maxExportRows: 25 })).status, 200);
      try {
        const { request: req, grant } = await request(r, { statement: 'SELECT id, product FROM orders', export: true });
        await r.call('bob', 'POST', `${API}/requests/${req.id}/approve`, {});
        await r.call('dana', 'POST', `${API}/requests/${req.id}/approve`, {});
        for (const [format, lines] of [['csv', 26], ['ndjson', 25]] as const) {
          const res = await r.raw('alice', 'GET', `${API}/grants/${grant.id}/export?format=${format}`);
          assert.equal(res.status, 200);
          assert.equal((await res.text()).trim().split('\n').length, lines, format);
        }
        await until('the export to be audited as finished', () => r.audit().filter((l) => l.action === 'grant.export.finished' && l.grantId === grant.id).length === 2);
        for (const l of r.audit().filter((l) => l.action === 'grant.export.finished' && l.grantId === grant.id)) assert.equal(l.rowCount, 25);
      } finally {
        await r.call('admin', 'PATCH', `${API}/workspace/settings`, { maxExportRows: 1_000_000 });
      }
    });

    it('a statement past queryTimeout is stopped: 504 DEADLINE_EXCEEDED naming the limit, audited, and the service goes on', async () => {
      assert.equal((await r.call('admin', 'PATCH', `${API}/workspace/settings`, { queryTimeout: '1s' })).status, 200);
      try {
        const slow = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000) SELECT count(*) AS n FROM c';
        const grant = await activeGrant(r, { statement: slow });
        const started = Date.now();
        const run = await r.call('alice', 'POST', `${API}/grants/${grant.id}/run`, {});
        const took = Date.now() - started;
        assert.equal(run.status, 504, JSON.stringify(run.body));
        assert.equal(run.body.error.code, 'DEADLINE_EXCEEDED');
        assert.match(run.body.error.message, /1s/);
        assert.ok(took >= 1000 && took < 15_000, `took ${took} ms`);
        const line = r.audit().filter((l) => l.action === 'grant.run' && l.grantId === grant.id)[0];
        assert.equal(line.outcome, 'error');
        const quick = await activeGrant(r, { statement: 'SELECT count(*) AS n FROM orders' });
        const again = await r.call('alice', 'POST', `${API}/grants/${quick.id}/run`, {});
        assert.equal(again.body.rows?.[0][0], 5000, JSON.stringify(again.body));
      } finally {
        await r.call('admin', 'PATCH', `${API}/workspace/settings`, { queryTimeout: '30s' });
      }
    });

    it('stalled export downloads are cut off after queryTimeout, so they cannot starve other runs', async () => {
      assert.equal((await r.call('admin', 'PATCH', `${API}/workspace/settings`, { queryTimeout: '1s' })).status, 200);
      try {
        // Far more than the socket buffers hold, so the service must wait for the reader.
        const statement = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 200000) SELECT x, printf('%0230d', x) AS pad FROM c";
        const { request: req, grant } = await request(r, { statement, export: true });
        await r.call('bob', 'POST', `${API}/requests/${req.id}/approve`, {});
        await r.call('dana', 'POST', `${API}/requests/${req.id}/approve`, {});
        // More stalled downloads than the engine has sessions (4).
        const stalled = await Promise.all(
          Array.from({ length: 5 }, async () => {
            const res = await rawRequest(`${base}${API}/grants/${grant.id}/export?format=csv`, { headers: { authorization: `Bearer ${TOKENS.alice}` } });
            res.on('error', () => undefined);
            res.once('data', () => res.pause());
            return res;
          }),
        );
        // Another user's query: the stalled exports hold alice's share of the instance, the
        // rest stays free for others.
        const started = Date.now();
        const run = await Promise.race([
          r.call('bob', 'POST', `${API}/projects/shop/query`, { database: 'demo/sales', statement: 'SELECT 1 AS one' }),
          new Promise<{ status: number }>((res) => setTimeout(() => res({ status: 0 }), 20_000)),
        ]);
        assert.equal(run.status, 200, `a query behind ${stalled.length} stalled exports ${run.status === 0 ? 'hung for 20 s' : `→ ${run.status}`}`);
        assert.ok(Date.now() - started < 15_000);
        // Those that got a session started streaming and must each end, audited; those over
        // alice's share were refused (429) without one.
        const ofGrant = (action: string, outcome: string) => r.audit().filter((l) => l.action === action && l.grantId === grant.id && l.outcome === outcome).length;
        await until('the stalled exports to be audited as ended', () => ofGrant('grant.export.finished', 'error') === ofGrant('grant.export', 'ok'));
        assert.ok(ofGrant('grant.export', 'ok') >= 1, 'at least one export started and stalled');
        assert.equal(ofGrant('grant.export', 'ok') + ofGrant('grant.export', 'error'), stalled.length);
        for (const res of stalled) res.destroy();
      } finally {
        await r.call('admin', 'PATCH', `${API}/workspace/settings`, { queryTimeout: '30s' });
      }
    });

    it('200 open SSE connections are all served, and all released when they close', async () => {
      const N = 200;
      const bus = r.h.service.deps.events;
      const base0 = bus.subscriberCount;
      const streams: { res: http.IncomingMessage; text: string }[] = [];
      const opened = await Promise.all(
        Array.from({ length: N }, () => rawRequest(`${base}${API}/events`, { headers: { authorization: `Bearer ${TOKENS.alice}` } })),
      );
      for (const res of opened) {
        assert.equal(res.statusCode, 200);
        const s = { res, text: '' };
        res.setEncoding('utf8');
        res.on('data', (d: string) => (s.text += d));
        res.on('error', () => undefined);
        streams.push(s);
      }
      await until('every stream to be connected', () => streams.every((s) => s.text.includes(': connected')));
      assert.equal(bus.subscriberCount, base0 + N);
      const { request: req } = await request(r);
      await until('every stream to get the event', () => streams.every((s) => s.text.includes(`"requestId":"${req.id}"`)));
      for (const s of streams) s.res.destroy();
      await until('every subscriber to be released', () => bus.subscriberCount === base0);
      const health = await fetch(`${base}/healthz`);
      assert.equal(health.status, 200);
      figures.sseConnections = N;
    });
  });

  describe('a slow client reading a large export from the service process', () => {
    let dir: string;
    let child: Child | undefined;
    before(() => (dir = mkdtempSync(join(tmpdir(), 'jit-slow-'))));
    after(async () => {
      await child?.stop('SIGKILL');
      try {
        record('slow-export audit', readFileSync(join(dir, 'data', 'audit.jsonl'), 'utf8'));
      } catch {
        // never started
      }
      rmSync(dir, { recursive: true, force: true });
    });

    it('applies back-pressure: the service does not read ahead of what the client has taken', async () => {
      seedDemoDatabases(join(dir, 'demo-data'));
      const { config, tokens } = withFreshTokens(reliabilityConfig(withPostgresInstance));
      child = await startChild({ configFile: writeConfig(dir, config), dataDir: join(dir, 'data'), label: 'slow-export service' });
      const call = client(child.url, tokens);
      const ROWS = 200_000;
      // ~236 bytes a row: ~45 MB of CSV, far more than any socket buffer.
      const statement = `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ${ROWS}) SELECT x, printf('%0230d', x) AS pad FROM c`;

      /**
       * One stalled download: takes `depth` bytes, stops reading until the service is idle,
       * then gives up. The measure is how many rows the service had pulled from the database
       * beyond those the client received (the rowCount of its grant.export.finished entry),
       * as a share of the rows the client left unread: socket buffers bound it with
       * back-pressure; without, the service reads on towards the whole result. Unlike the
       * process's RSS, which moves by tens of MB with the garbage collector, it does not
       * depend on timing.
       */
      async function stalled(depth: number) {
        const made = await call('alice', 'POST', `${API}/projects/shop/access-requests`, { databases: ['demo/sales'], statement, export: true, duration: '1h', reason: 'slow client' });
        assert.equal(made.status, 201, JSON.stringify(made.body));
        assert.equal((await call('bob', 'POST', `${API}/requests/${made.body.request.id}/approve`, {})).status, 200);
        assert.equal((await call('dana', 'POST', `${API}/requests/${made.body.request.id}/approve`, {})).status, 200);
        const grantId = made.body.grant.id;
        const res = await rawRequest(`${child!.url}${API}/grants/${grantId}/export?format=csv`, { headers: { authorization: `Bearer ${tokens.alice}` } });
        assert.equal(res.statusCode, 200);
        let received = 0;
        let newlines = 0;
        await new Promise<void>((resolve) => {
          const onData = (chunk: Buffer) => {
            received += chunk.length;
            for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) newlines++;
            if (received >= depth) {
              res.pause();
              res.off('data', onData);
              resolve();
            }
          };
          res.on('data', onData);
        });
        const rowsReceived = newlines - 1; // the header line
        const baseline = child!.rss();
        let peak = baseline;
        // Wait until the service is idle (under 20 ms of CPU in half a second), at least 2 s:
        // with back-pressure it soon is; a service that reads on does so until it has the
        // whole result, however slow the machine.
        let cpu = cpuMs(child!.pid);
        for (let since = Date.now(), start = since; Date.now() - start < 20_000; ) {
          peak = Math.max(peak, child!.rss());
          await new Promise((r) => setTimeout(r, 100));
          if (Date.now() - since < 500) continue;
          const now = cpuMs(child!.pid);
          if (now - cpu < 20 && Date.now() - start >= 2000) break;
          cpu = now;
          since = Date.now();
        }
        res.destroy();
        let finished: { outcome: string; rowCount: number } | undefined;
        await until('the cut-off export to be audited', async () => {
          [finished] = (await call('admin', 'GET', `${API}/audit?grant=${grantId}&action=grant.export.finished`)).body.entries;
          return finished !== undefined;
        });
        const ahead = finished!.rowCount - rowsReceived;
        return { depth, rowsReceived, rowsRead: finished!.rowCount, aheadShare: ahead / (ROWS - rowsReceived), outcome: finished!.outcome, grownMb: (peak - baseline) / 2 ** 20, grantId };
      }

      const samples = [];
      for (const depth of [256 * 1024, 2 * 2 ** 20, 8 * 2 ** 20]) samples.push(await stalled(depth));
      for (const s of samples) {
        console.log(`      stalled after ${(s.depth / 2 ** 20).toFixed(2)} MB: the client has ${s.rowsReceived} rows, the service read ${s.rowsRead} ` +
          `(${(s.aheadShare * 100).toFixed(1)}% of the unread rows), its RSS grew ${s.grownMb.toFixed(1)} MB`);
      }
      figures.slowExportGrowthMb = Math.round(samples[0].grownMb * 10) / 10;
      for (const s of samples) {
        assert.ok(s.aheadShare < 0.4, `stalled after ${s.depth} bytes, the service read ${s.rowsRead} rows while the client had ${s.rowsReceived} of ${ROWS}`);
        assert.equal(s.outcome, 'error', 'an export the client gave up on is audited as ended early');
      }
      assert.equal((await call('alice', 'POST', `${API}/grants/${samples[0].grantId}/run`, {})).status, 200);
      assert.equal((await call(null, 'GET', '/healthz')).status, 200);
    });
  });
});
