import assert from 'node:assert/strict';
import { ApiClient, type Fetch } from '../../../extension/core/api-client.js';
import { ApiError, describeError } from '../../../extension/core/api-errors.js';

interface Call {
  url: string;
  init: RequestInit;
}

function clientWith(respond: (call: Call) => Response | Promise<Response>, token = 'tok-alice') {
  const calls: Call[] = [];
  const fetch: Fetch = async (url, init) => {
    const call = { url, init };
    calls.push(call);
    return respond(call);
  };
  return { client: new ApiClient({ baseUrl: 'http://svc:8787/', token: async () => token, fetch }), calls };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof ApiError, `expected an ApiError, got ${String(error)}`);
  return error;
}

describe('ApiClient', () => {
  it('sends the bearer token to the versioned path', async () => {
    const { client, calls } = clientWith(() => json(200, { user: { id: 'alice', name: 'Alice' }, workspaceRole: 'workspaceMember', projects: [] }));
    const me = await client.me();
    assert.equal(me.user.id, 'alice');
    assert.equal(calls[0].url, 'http://svc:8787/api/v1/me');
    assert.equal(new Headers(calls[0].init.headers).get('authorization'), 'Bearer tok-alice');
  });

  it('reads a list out of the object the service wraps it in', async () => {
    const { client } = clientWith(() => json(200, { grants: [{ id: 'g1' }] }));
    assert.deepEqual((await client.myGrants()).map((g) => g.id), ['g1']);
  });

  it('puts the filters given, and only those, in the query, and escapes path segments', async () => {
    const { client, calls } = clientWith(() => json(200, { grants: [] }));
    await client.projectGrants('shop/eu', { state: 'ACTIVE', user: undefined, database: 'demo/hr', expiringWithin: '2h' });
    assert.equal(calls[0].url, 'http://svc:8787/api/v1/projects/shop%2Feu/grants?state=ACTIVE&database=demo%2Fhr&expiringWithin=2h');
  });

  it('posts the access request body as JSON', async () => {
    const { client, calls } = clientWith(() => json(201, { request: { id: 'r1' }, grant: { id: 'g1' } }));
    const body = { databases: ['demo/hr'], statement: 'SELECT 1', export: false, unmask: false, duration: '1h', reason: 'why' };
    await client.createAccessRequest('shop', body);
    assert.equal(calls[0].url, 'http://svc:8787/api/v1/projects/shop/access-requests');
    assert.equal(calls[0].init.method, 'POST');
    assert.deepEqual(JSON.parse(String(calls[0].init.body)), body);
  });

  it('opens the event stream asking for what came after the last event seen', async () => {
    const { client, calls } = clientWith(() => new Response(': connected\n\n', { headers: { 'Content-Type': 'text/event-stream' } }));
    await client.events(undefined, '41');
    await client.events();
    assert.equal(calls[0].url, 'http://svc:8787/api/v1/events');
    const [resumed, fresh] = calls.map((c) => new Headers(c.init.headers));
    assert.equal(resumed.get('last-event-id'), '41');
    assert.equal(resumed.get('accept'), 'text/event-stream');
    assert.equal(fresh.has('last-event-id'), false);
  });

  it('turns an error body into a typed error with code, status and parse position', async () => {
    const { client } = clientWith(() => json(400, { error: { code: 'INVALID_ARGUMENT', message: 'statement: syntax error at line 2, column 7' } }));
    const error = await rejection(client.createAccessRequest('shop', { databases: [], statement: 'x', export: false, unmask: false, duration: '1h', reason: 'r' }));
    assert.equal(error.code, 'INVALID_ARGUMENT');
    assert.equal(error.status, 400);
    assert.equal(error.field, 'statement');
    assert.deepEqual(error.position, { line: 2, column: 7 });
  });

  it('tells a user with a wrong token to sign in again', async () => {
    const { client } = clientWith(() => json(401, { error: { code: 'UNAUTHENTICATED', message: 'bad token' } }));
    const friendly = describeError(await rejection(client.me()), 'http://svc:8787');
    assert.equal(friendly.nextStep, 'signIn');
    assert.match(friendly.message, /did not accept your access token/);
  });

  it('tells a user without rights to request access', async () => {
    const { client } = clientWith(() => json(403, { error: { code: 'PERMISSION_DENIED', message: 'not the holder' } }));
    const friendly = describeError(await rejection(client.run('g1')), 'http://svc:8787');
    assert.equal(friendly.nextStep, 'requestAccess');
    assert.match(friendly.message, /not the holder/);
  });

  it('tells the user to start the service when it cannot be reached', async () => {
    const { client } = clientWith(() => Promise.reject(new TypeError('fetch failed')));
    const error = await rejection(client.me());
    assert.equal(error.code, 'UNAVAILABLE');
    const friendly = describeError(error, 'http://svc:8787');
    assert.equal(friendly.nextStep, 'startService');
    assert.match(friendly.message, /http:\/\/svc:8787 is not reachable/);
  });

  it('asks to sign in without calling the service when there is no token', async () => {
    const { client, calls } = clientWith(() => json(200, {}), '');
    assert.equal((await rejection(client.me())).code, 'NO_TOKEN');
    assert.equal(calls.length, 0);
  });

  it('passes cancellation to fetch and reports it as cancelled', async () => {
    const abort = new AbortController();
    const { client, calls } = clientWith(({ init }) => new Promise((_resolve, reject) => init.signal?.addEventListener('abort', () => reject(new Error('aborted')))));
    const pending = client.run('g1', 'demo/hr', abort.signal);
    await new Promise((r) => setImmediate(r));
    abort.abort();
    assert.equal((await rejection(pending)).code, 'CANCELLED');
    assert.deepEqual(JSON.parse(String(calls[0].init.body)), { database: 'demo/hr' });
  });

  it('streams an export with the file name the service gives', async () => {
    const { client, calls } = clientWith(() => new Response('id,email\n1,a***@x.com\n', { status: 200, headers: { 'Content-Disposition': 'attachment; filename="grant-g1.csv"' } }));
    const download = await client.exportGrant('g1', 'csv', 'demo/hr');
    assert.equal(download.fileName, 'grant-g1.csv');
    assert.equal(calls[0].url, 'http://svc:8787/api/v1/grants/g1/export?format=csv&database=demo%2Fhr');
    assert.equal(await new Response(download.body).text(), 'id,email\n1,a***@x.com\n');
  });
});
