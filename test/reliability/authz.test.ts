// The authorization matrix, generated from the app's own route table: every route the app
// serves must have a row here (a new route without one fails the suite), and every row is
// tried by every kind of caller against a project of theirs and one that is not.
import assert from 'node:assert/strict';
import { API, request, approve, startRel, type Rel } from './support/inproc.js';

type Caller = 'anonymous' | 'alice' | 'bob' | 'dana' | 'admin' | 'olga';
const CALLERS: Caller[] = ['anonymous', 'alice', 'bob', 'dana', 'admin', 'olga'];
type Project = 'shop' | 'ops';
/** shop: alice (developer), bob (owner and exporter); ops: olga (developer), oscar (owner). dana is a DBA, admin an admin. */
const PROJECTS: Project[] = ['shop', 'ops'];
const creatorOf = (p: Project) => (p === 'shop' ? 'alice' : 'olga');
const ownerOf = (p: Project) => (p === 'shop' ? 'bob' : 'oscar');

interface Fixture {
  request?: string;
  grant?: string;
  binding?: string;
  webhook?: string;
  delivery?: string;
}
interface Row {
  body?: unknown;
  /** Query string to add. */
  query?: string;
  /** Makes a fresh fixture in the project for one cell (ids for :id). */
  prepare?: (r: Rel, p: Project) => Promise<Fixture>;
  /** Which fixture id :id stands for. */
  id?: keyof Fixture;
  /** Expected status per caller (anonymous is 401 under /api/v1 unless given); per project when the route is scoped. */
  expect: (caller: Exclude<Caller, 'anonymous'>, p: Project) => number;
  /** The route is not scoped by a project: tried once. */
  global?: true;
}

const pending = async (r: Rel, p: Project) => {
  const { request: req, grant } = await request(r, {}, creatorOf(p), p);
  return { request: req.id, grant: grant.id };
};
const active = (exportToo = false) => async (r: Rel, p: Project) => {
  const { request: req, grant } = await request(r, exportToo ? { export: true } : {}, creatorOf(p), p);
  await approve(r, req.id, ownerOf(p));
  if (exportToo) await approve(r, req.id, 'dana');
  return { grant: grant.id };
};

const bound = async (r: Rel, p: Project) => {
  const res = await r.call(creatorOf(p), 'POST', `${API}/projects/${p}/role-requests`, { role: 'sqlEditorUser', databases: ['demo/sales'], duration: '1h', reason: 'matrix' });
  if (res.status !== 201) throw new Error(`role request → ${res.status} ${JSON.stringify(res.body)}`);
  await approve(r, res.body.request.id, ownerOf(p));
  return { binding: (await approve(r, res.body.request.id, 'dana')).bindingId as string };
};

const HOOK = { url: 'https://chat.example.com/hook', format: 'json', events: ['request.created'] };
const hooked = (scope: 'workspace' | 'project') => async (r: Rel, p: Project) => {
  const res = await r.call('admin', 'PUT', `${API}/${scope === 'workspace' ? 'workspace' : `projects/${p}`}/webhooks/matrix`, HOOK);
  if (res.status !== 200) throw new Error(`webhook → ${res.status} ${JSON.stringify(res.body)}`);
  return { webhook: 'matrix' };
};
/** No delivery has this id: admins get past the authorization to a 404. */
const noDelivery = async () => ({ delivery: '404' });

const reviewer = (c: string) => c === 'dana' || c === 'admin';
const member = (c: string, p: Project) => (p === 'shop' ? c === 'alice' || c === 'bob' : c === 'olga');
const all = (status: number) => () => status;
/** bob, shop's only owner, may ask, but nobody else could approve his request's owner step (409). */
const deadEndFor = (c: string) => (c === 'bob' ? 409 : 201);

/** Keyed by the route as Hono lists it. */
const MATRIX: Record<string, Row> = {
  'GET /healthz': { global: true, expect: all(200) },
  'GET /openapi.json': { global: true, expect: all(200) },
  [`GET ${API}/me`]: { global: true, expect: all(200) },
  [`GET ${API}/workspace/settings`]: { global: true, expect: all(200) },
  [`PATCH ${API}/workspace/settings`]: { global: true, body: { reminderBefore: '15m' }, expect: (c) => (c === 'admin' ? 200 : 403) },
  [`GET ${API}/projects`]: { global: true, expect: all(200) },
  [`GET ${API}/projects/:p`]: { expect: (c, p) => (member(c, p) || reviewer(c) ? 200 : 403) },
  [`PATCH ${API}/projects/:p/settings`]: { body: { jitAccess: true }, expect: (c, p) => (c === 'admin' || (p === 'shop' && c === 'bob') ? 200 : 403) },
  [`POST ${API}/projects/:p/access-requests`]: {
    body: { databases: ['demo/sales'], statement: 'SELECT 1 AS one', duration: '1h', reason: 'matrix' },
    expect: (c, p) => (member(c, p) ? deadEndFor(c) : 403),
  },
  [`POST ${API}/projects/:p/role-requests`]: {
    body: { role: 'sqlEditorUser', databases: ['demo/sales'], duration: '1h', reason: 'matrix' },
    expect: (c, p) => (member(c, p) ? deadEndFor(c) : 403),
  },
  [`GET ${API}/projects/:p/grants`]: { expect: (c, p) => (reviewer(c) || (p === 'shop' && c === 'bob') ? 200 : 403) },
  [`POST ${API}/projects/:p/query`]: { body: { database: 'demo/sales', statement: 'SELECT 1 AS one' }, expect: (c, p) => (p === 'shop' && c === 'bob' ? 200 : 403) },
  [`POST ${API}/projects/:p/export`]: { body: { database: 'demo/sales', statement: 'SELECT 1 AS one', format: 'csv' }, expect: (c, p) => (p === 'shop' && c === 'bob' ? 200 : 403) },
  [`GET ${API}/requests`]: { global: true, query: '?view=to-approve', expect: all(200) },
  [`GET ${API}/requests/:id`]: { prepare: pending, id: 'request', expect: (c, p) => (member(c, p) || reviewer(c) ? 200 : 403) },
  [`POST ${API}/requests/:id/approve`]: { body: {}, prepare: pending, id: 'request', expect: (c, p) => (p === 'shop' && c === 'bob' ? 200 : 403) },
  [`POST ${API}/requests/:id/reject`]: { body: {}, prepare: pending, id: 'request', expect: (c, p) => (p === 'shop' && c === 'bob' ? 200 : 403) },
  [`POST ${API}/requests/:id/cancel`]: { body: {}, prepare: pending, id: 'request', expect: (c, p) => (c === creatorOf(p) ? 200 : 403) },
  [`GET ${API}/grants`]: { global: true, query: '?state=ACTIVE', expect: all(200) },
  [`GET ${API}/grants/:id`]: { prepare: pending, id: 'grant', expect: (c, p) => (member(c, p) || reviewer(c) ? 200 : 403) },
  [`POST ${API}/grants/:id/revoke`]: { body: {}, prepare: active(), id: 'grant', expect: (c, p) => (c === creatorOf(p) || c === 'admin' || (p === 'shop' && c === 'bob') ? 200 : 403) },
  [`POST ${API}/grants/:id/run`]: { body: {}, prepare: active(), id: 'grant', expect: (c, p) => (c === creatorOf(p) ? 200 : 403) },
  [`GET ${API}/grants/:id/export`]: { prepare: active(true), id: 'grant', expect: (c, p) => (c === creatorOf(p) ? 200 : 403) },
  [`GET ${API}/projects/:p/role-bindings`]: { expect: (c, p) => (reviewer(c) || (p === 'shop' && c === 'bob') ? 200 : 403) },
  [`POST ${API}/role-bindings/:id/revoke`]: { body: {}, prepare: bound, id: 'binding', expect: (c, p) => (c === creatorOf(p) || c === 'admin' || (p === 'shop' && c === 'bob') ? 200 : 403) },
  [`GET ${API}/approval-rules`]: { global: true, expect: (c) => (reviewer(c) ? 200 : 403) },
  [`PUT ${API}/approval-rules`]: { global: true, body: 'RULES', expect: (c) => (reviewer(c) ? 200 : 403) },
  [`GET ${API}/audit`]: { global: true, query: '?limit=5', expect: (c) => (c === 'admin' ? 200 : 403) },
  [`GET ${API}/events`]: { global: true, expect: all(200) },
  [`GET ${API}/workspace/webhooks`]: { global: true, expect: (c) => (c === 'admin' ? 200 : 403) },
  [`PUT ${API}/workspace/webhooks/:id`]: { global: true, body: HOOK, prepare: hooked('workspace'), id: 'webhook', expect: (c) => (c === 'admin' ? 200 : 403) },
  [`DELETE ${API}/workspace/webhooks/:id`]: { global: true, prepare: hooked('workspace'), id: 'webhook', expect: (c) => (c === 'admin' ? 204 : 403) },
  [`GET ${API}/projects/:p/webhooks`]: { expect: (c, p) => (c === 'admin' || (p === 'shop' && c === 'bob') ? 200 : 403) },
  [`PUT ${API}/projects/:p/webhooks/:id`]: { body: HOOK, prepare: hooked('project'), id: 'webhook', expect: (c, p) => (c === 'admin' || (p === 'shop' && c === 'bob') ? 200 : 403) },
  [`DELETE ${API}/projects/:p/webhooks/:id`]: { prepare: hooked('project'), id: 'webhook', expect: (c, p) => (c === 'admin' || (p === 'shop' && c === 'bob') ? 204 : 403) },
  [`GET ${API}/workspace/webhook-deliveries`]: { global: true, query: '?status=failed', expect: (c) => (c === 'admin' ? 200 : 403) },
  [`POST ${API}/workspace/webhook-deliveries/:id/retry`]: { global: true, prepare: noDelivery, id: 'delivery', expect: (c) => (c === 'admin' ? 404 : 403) },
};

const PUBLIC = new Set(['GET /healthz', 'GET /openapi.json']);

describe('authorization matrix (from the route table)', function () {
  this.timeout(120_000);
  let r: Rel;
  let routes: string[];
  before(async () => {
    r = await startRel((c) => {
      c.projects[0].members.find((m) => m.user === 'bob')!.roles.push('projectExporter');
    });
    routes = [...new Set(r.h.service.app.routes.filter((x) => x.method !== 'ALL').map((x) => `${x.method} ${x.path}`))];
  });
  after(async () => r.close());

  it('every route the app serves has a row in the matrix, and every row is a route', () => {
    const missing = routes.filter((x) => !(x in MATRIX));
    assert.deepEqual(missing, [], `routes without an authorization expectation: ${missing.join(', ')}`);
    const stale = Object.keys(MATRIX).filter((x) => !routes.includes(x));
    assert.deepEqual(stale, [], `rows for routes that do not exist: ${stale.join(', ')}`);
  });

  it('the OpenAPI document lists exactly the /api/v1 routes, each with bearer security', async () => {
    const doc = (await r.call(null, 'GET', '/openapi.json')).body;
    const documented = Object.entries(doc.paths as Record<string, object>).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
    ).filter((x) => x.split(' ')[1].startsWith(API));
    const served = routes.filter((x) => x.split(' ')[1].startsWith(API));
    assert.deepEqual(
      served.filter((x) => !documented.includes(x)).concat(documented.filter((x) => !served.includes(x))),
      [],
      'served and documented routes differ',
    );
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
      for (const [m, op] of Object.entries(ops)) {
        if (path.startsWith(API)) assert.deepEqual(op.security, [{ bearer: [] }], `${m} ${path} must declare bearer security`);
      }
    }
  });

  for (const [route, row] of Object.entries(MATRIX)) {
    it(`${route}: every caller × ${row.global ? 'the workspace' : 'own and other project'}`, async () => {
      const [method, pattern] = route.split(' ');
      const mismatches: string[] = [];
      for (const p of row.global ? (['shop'] as Project[]) : PROJECTS) {
        for (const caller of CALLERS) {
          const fixture = (await row.prepare?.(r, p)) ?? {};
          const path = pattern.replace(':p', p).replace(':id', (row.id && fixture[row.id]) ?? '') + (row.query ?? '');
          const body = row.body === 'RULES' ? (await r.call('admin', 'GET', `${API}/approval-rules`)).body : row.body;
          const res = await r.raw(caller === 'anonymous' ? null : caller, method, path, body);
          await res.body?.cancel(); // the events stream never ends by itself
          const expected = caller === 'anonymous' ? (PUBLIC.has(route) ? 200 : 401) : row.expect(caller, p);
          if (res.status !== expected) mismatches.push(`${caller} on ${p}: ${res.status}, expected ${expected}`);
        }
      }
      assert.deepEqual(mismatches, []);
    });
  }

  it('an open event stream of a user deleted meanwhile delivers nothing more and ends', async () => {
    const r2 = await startRel();
    try {
      const { request: req } = await request(r2, {}, 'olga', 'ops');
      const res = await r2.raw('olga', 'GET', `${API}/events`);
      assert.equal(res.status, 200);
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      let text = '';
      while (!text.includes(': connected')) text += decoder.decode((await reader.read()).value);
      await r2.h.service.deps.config.update((draft) => {
        draft.users = draft.users.filter((u) => u.id !== 'olga');
      });
      await approve(r2, req.id, 'oscar'); // an event for olga
      const timeout = setTimeout(() => void reader.cancel(), 5000);
      for (;;) {
        const chunk = await reader.read();
        if (chunk.done) break;
        text += decoder.decode(chunk.value);
      }
      clearTimeout(timeout);
      assert.ok(!text.includes('request.approved'), `the deleted user still got: ${text}`);
    } finally {
      await r2.close();
    }
  });

  it('a deleted user is refused at once, and so is a removed role', async () => {
    const { request: req } = await request(r);
    assert.equal((await r.call('olga', 'GET', `${API}/me`)).status, 200);
    await r.h.service.deps.config.update((draft) => {
      draft.users = draft.users.filter((u) => u.id !== 'olga');
      for (const p of draft.projects) p.members = p.members.filter((m) => m.user !== 'olga');
    });
    for (const [method, path] of [['GET', `${API}/me`], ['GET', `${API}/projects/ops`], ['GET', `${API}/events`]]) {
      const res = await r.raw('olga', method, path);
      await res.body?.cancel();
      assert.equal(res.status, 401, `${method} ${path} with a deleted user's token`);
    }
    await r.h.service.deps.config.update((draft) => {
      draft.projects[0].members = draft.projects[0].members.filter((m) => m.user !== 'bob');
    });
    assert.equal((await r.call('bob', 'POST', `${API}/requests/${req.id}/approve`, {})).status, 403);
    assert.equal((await r.call('bob', 'GET', `${API}/projects/shop/grants`)).status, 403);
  });
});
