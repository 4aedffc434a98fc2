// The authorization matrix: every endpoint of the contract's table (query and export come
// with the data-plane issue) × every kind of caller, with the exact status of each cell.
import assert from 'node:assert/strict';
import { startHarness, testConfig, type Harness } from '../support/harness.js';
import { API, activeGrant, addOtherUsers, decide, rawAs, requestAccess, requestRole, type AnyUser } from './helpers.js';

type Caller = 'anonymous' | 'alice' | 'bob' | 'dana' | 'admin' | 'olga';
const CALLERS: Caller[] = ['anonymous', 'alice', 'bob', 'dana', 'admin', 'olga'];

interface Row {
  method: string;
  path: string;
  body?: unknown;
  /** Makes a fresh fixture for one cell; its ids replace :request, :grant, :binding and :webhook in the path (:delivery is one that does not exist). */
  prepare?: (h: Harness) => Promise<{ request?: string; grant?: string; binding?: string; webhook?: string }>;
  /** Status per caller; anonymous defaults to 401 under /api/v1. */
  expect: Partial<Record<Caller, number>>;
}

const ALL_USERS = (status: number) => ({ alice: status, bob: status, dana: status, admin: status, olga: status });
const pending = async (h: Harness) => {
  const { request, grant } = await requestAccess(h);
  return { request: request.id, grant: grant.id };
};
const active = async (h: Harness) => ({ grant: (await activeGrant(h)).id });
const bound = async (h: Harness) => {
  const request = await requestRole(h);
  await decide(h, 'bob', request.id);
  return { binding: (await decide(h, 'dana', request.id)).bindingId as string };
};

const HOOK = { url: 'https://chat.example.com/hook', format: 'json', events: ['request.created'] };
const hooked = (scope: string) => async (h: Harness) => {
  const put = await rawAs(h, 'admin', 'PUT', `${API}/${scope}/webhooks/matrix`, HOOK);
  if (put.status !== 200) throw new Error(`webhook → ${put.status}`);
  return { webhook: 'matrix' };
};

const ROWS: Row[] = [
  { method: 'GET', path: '/healthz', expect: { anonymous: 200, ...ALL_USERS(200) } },
  { method: 'GET', path: '/openapi.json', expect: { anonymous: 200, ...ALL_USERS(200) } },
  { method: 'GET', path: `${API}/me`, expect: ALL_USERS(200) },
  { method: 'GET', path: `${API}/workspace/settings`, expect: ALL_USERS(200) },
  { method: 'PATCH', path: `${API}/workspace/settings`, body: { reminderBefore: '15m' }, expect: { ...ALL_USERS(403), admin: 200 } },
  { method: 'GET', path: `${API}/projects`, expect: ALL_USERS(200) },
  { method: 'GET', path: `${API}/projects/shop`, expect: { ...ALL_USERS(200), olga: 403 } },
  { method: 'PATCH', path: `${API}/projects/shop/settings`, body: { jitAccess: true }, expect: { ...ALL_USERS(403), bob: 200, admin: 200 } },
  {
    method: 'POST', path: `${API}/projects/shop/access-requests`,
    body: { databases: ['demo/sales'], statement: 'SELECT 1', duration: '1h', reason: 'matrix' },
    // bob may ask, but as the only owner nobody else could approve his request (a dead end).
    expect: { ...ALL_USERS(403), alice: 201, bob: 409 },
  },
  {
    method: 'POST', path: `${API}/projects/shop/role-requests`,
    body: { role: 'sqlEditorUser', databases: ['demo/sales'], duration: '1h', reason: 'matrix' },
    expect: { ...ALL_USERS(403), alice: 201, bob: 409 },
  },
  { method: 'GET', path: `${API}/requests?view=to-approve`, expect: ALL_USERS(200) },
  { method: 'GET', path: `${API}/requests/:request`, prepare: pending, expect: { ...ALL_USERS(200), olga: 403 } },
  { method: 'POST', path: `${API}/requests/:request/approve`, body: {}, prepare: pending, expect: { ...ALL_USERS(403), bob: 200 } },
  { method: 'POST', path: `${API}/requests/:request/reject`, body: {}, prepare: pending, expect: { ...ALL_USERS(403), bob: 200 } },
  { method: 'POST', path: `${API}/requests/:request/cancel`, body: {}, prepare: pending, expect: { ...ALL_USERS(403), alice: 200 } },
  { method: 'GET', path: `${API}/grants?state=ACTIVE`, expect: ALL_USERS(200) },
  { method: 'GET', path: `${API}/projects/shop/grants`, expect: { ...ALL_USERS(200), alice: 403, olga: 403 } },
  { method: 'GET', path: `${API}/grants/:grant`, prepare: pending, expect: { ...ALL_USERS(200), olga: 403 } },
  { method: 'POST', path: `${API}/grants/:grant/revoke`, body: {}, prepare: active, expect: { ...ALL_USERS(403), alice: 200, bob: 200, admin: 200 } },
  { method: 'POST', path: `${API}/grants/:grant/run`, body: {}, prepare: active, expect: { ...ALL_USERS(403), alice: 200 } },
  { method: 'GET', path: `${API}/projects/shop/role-bindings`, expect: { ...ALL_USERS(200), alice: 403, olga: 403 } },
  { method: 'POST', path: `${API}/role-bindings/:binding/revoke`, body: {}, prepare: bound, expect: { ...ALL_USERS(403), alice: 200, bob: 200, admin: 200 } },
  { method: 'GET', path: `${API}/approval-rules`, expect: { ...ALL_USERS(403), dana: 200, admin: 200 } },
  { method: 'PUT', path: `${API}/approval-rules`, body: testConfig().approvalRules, expect: { ...ALL_USERS(403), dana: 200, admin: 200 } },
  { method: 'GET', path: `${API}/audit?limit=5`, expect: { ...ALL_USERS(403), admin: 200 } },
  { method: 'GET', path: `${API}/events`, expect: ALL_USERS(200) },
  { method: 'GET', path: `${API}/workspace/webhooks`, expect: { ...ALL_USERS(403), admin: 200 } },
  { method: 'PUT', path: `${API}/workspace/webhooks/:webhook`, body: HOOK, prepare: hooked('workspace'), expect: { ...ALL_USERS(403), admin: 200 } },
  { method: 'DELETE', path: `${API}/workspace/webhooks/:webhook`, prepare: hooked('workspace'), expect: { ...ALL_USERS(403), admin: 204 } },
  { method: 'GET', path: `${API}/projects/shop/webhooks`, expect: { ...ALL_USERS(403), bob: 200, admin: 200 } },
  { method: 'PUT', path: `${API}/projects/shop/webhooks/:webhook`, body: HOOK, prepare: hooked('projects/shop'), expect: { ...ALL_USERS(403), bob: 200, admin: 200 } },
  { method: 'DELETE', path: `${API}/projects/shop/webhooks/:webhook`, prepare: hooked('projects/shop'), expect: { ...ALL_USERS(403), bob: 204, admin: 204 } },
  { method: 'GET', path: `${API}/workspace/webhook-deliveries?status=failed`, expect: { ...ALL_USERS(403), admin: 200 } },
  { method: 'POST', path: `${API}/workspace/webhook-deliveries/:delivery/retry`, expect: { ...ALL_USERS(403), admin: 404 } },
];

async function status(h: Harness, caller: Caller, row: Row): Promise<number> {
  const ids = (await row.prepare?.(h)) ?? {};
  const path = row.path.replace(':request', ids.request ?? '').replace(':grant', ids.grant ?? '').replace(':binding', ids.binding ?? '').replace(':webhook', ids.webhook ?? '').replace(':delivery', '404');
  const res = await rawAs(h, caller === 'anonymous' ? null : (caller as AnyUser), row.method, path, row.body);
  await res.body?.cancel(); // the events stream never ends by itself
  return res.status;
}

describe('authorization matrix', () => {
  for (const row of ROWS) {
    describe(`${row.method} ${row.path}`, () => {
      let h: Harness;
      before(async () => (h = await startHarness(testConfig(addOtherUsers))));
      after(async () => h.close());

      for (const caller of CALLERS) {
        const expected = row.expect[caller] ?? 401;
        it(`${caller} → ${expected}`, async () => assert.equal(await status(h, caller, row), expected));
      }
    });
  }

  it('covers every operation of the OpenAPI document (query and export are the data plane\'s)', async () => {
    const h = await startHarness();
    try {
      const doc = (await h.json(null, 'GET', '/openapi.json')).body;
      const documented = Object.entries(doc.paths as Record<string, object>)
        .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
        .filter((op) => !/\/(query|export)$/.test(op));
      const covered = ROWS.filter((r) => r.path !== '/openapi.json').map(
        (r) => `${r.method} ${r.path.split('?')[0].replace(/:request|:grant|:binding|:webhook|:delivery/, '{id}').replace('/shop', '/{p}')}`,
      );
      assert.deepEqual([...new Set(covered)].sort(), documented.sort());
    } finally {
      await h.close();
    }
  });

  it('an unknown or malformed token is 401 everywhere under /api/v1, and says how to sign in', async () => {
    const h = await startHarness();
    try {
      for (const row of ROWS.filter((r) => r.path.startsWith(API))) {
        for (const authorization of ['Bearer not-a-token', 'Basic YWxpY2U6eA==', 'Bearer ', `Bearer ${'x'.repeat(600)}`]) {
          const res = await h.call(null, row.method, row.path.replace(/:request|:grant|:binding|:webhook|:delivery/, '1'), row.body, { authorization });
          assert.equal(res.status, 401, `${row.method} ${row.path} with ${authorization.slice(0, 20)}`);
          const body = await res.json();
          assert.equal(body.error.code, 'UNAUTHENTICATED');
          assert.match(body.error.message, /sign in/i);
        }
      }
    } finally {
      await h.close();
    }
  });
});
