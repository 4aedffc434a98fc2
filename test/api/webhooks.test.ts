// Webhooks, end to end: real deliveries to a receiver on loopback, signed, retried on the fake
// clock, in order per webhook; configured by the people allowed to, with secrets never shown.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import type { Config } from '../../server/config/schema.js';
import { parseConfig } from '../../server/config/load.js';
import { change } from '../../server/domain/change.js';
import { MAX_BACKOFF_MS } from '../../server/notify/webhooks.js';
import { WEBHOOK_EVENTS, type Webhook } from '../../contract/webhooks.js';
import { startHarness, testConfig, type Harness } from '../support/harness.js';
import { startReceiver, type Receiver } from '../support/webhook-receiver.js';
import { activeGrant, addOtherUsers, API, callAs, decide, expectRefused, requestAccess, requestRole } from './helpers.js';

const SECRET = 'a-webhook-secret-of-some-length';
const LINK = 'vscode://jit-access.jit-access/requests/';

function verified(r: { headers: Record<string, unknown>; body: string }, secret: string): boolean {
  const timestamp = String(r.headers['x-jit-timestamp']);
  const expected = `sha256=${createHmac('sha256', secret).update(`${timestamp}.${r.body}`).digest('hex')}`;
  return r.headers['x-jit-signature'] === expected;
}

describe('webhooks', function () {
  let receiver: Receiver;
  let h: Harness;
  const hook = (id: string, format: Webhook['format'], events: readonly Webhook['events'][number][] = WEBHOOK_EVENTS, secret: string | null = SECRET): Webhook => ({
    id, url: receiver.url(`/${id}`), format, events: [...events], ...(secret ? { secret } : {}),
  });
  const start = async (edit: (c: Config) => void = () => undefined) => {
    h = await startHarness(
      testConfig((c) => {
        c.webhookDelivery.allowLoopback = true;
        addOtherUsers(c);
        edit(c);
      }),
    );
  };
  const settled = () => h.service.deps.webhooks.idle();
  /** Moves past any retry's backoff and waits for what it sends. */
  const nextRetry = async () => {
    await h.advance(MAX_BACKOFF_MS);
    await settled();
  };
  const deliveries = async (status?: string) => (await h.json('admin', 'GET', `${API}/workspace/webhook-deliveries${status ? `?status=${status}` : ''}`)).body.deliveries;

  beforeEach(async () => {
    receiver = await startReceiver();
  });
  afterEach(async () => {
    // Cleared, so a test that fails before starting its service does not close the last one again.
    await h?.close();
    h = undefined!;
    await receiver.close();
  });

  it('tells each format of every event kind, signed, with a link to the request', async () => {
    await start((c) => {
      c.webhooks = [hook('json', 'json'), hook('slack', 'slack'), hook('teams', 'teams')];
      c.projects[0].webhooks = [hook('shop-rejections', 'json', ['request.rejected'], null)];
    });
    const { request, grant } = await requestAccess(h);
    await decide(h, 'bob', request.id);
    await callAs(h, 'bob', 'POST', `${API}/grants/${grant.id}/revoke`, { reason: 'done' });
    const rejected = (await requestAccess(h, { reason: 'second' })).request;
    await decide(h, 'bob', rejected.id, 'reject');
    const expiring = await activeGrant(h, { duration: '1h' });
    const roleRequest = await requestRole(h);
    await decide(h, 'bob', roleRequest.id);
    const { bindingId } = await decide(h, 'dana', roleRequest.id);
    const revokedRole = await requestRole(h, { role: 'projectExporter' });
    await decide(h, 'bob', revokedRole.id);
    const revokedBinding = (await decide(h, 'dana', revokedRole.id)).bindingId;
    assert.equal((await callAs(h, 'admin', 'POST', `${API}/role-bindings/${revokedBinding}/revoke`, {})).status, 200);
    // Into the last 15 minutes (the reminders), then past the end.
    await h.advance(50 * 60_000);
    await h.advance(3_600_000);
    await settled();

    const json = receiver.delivered('/json');
    assert.deepEqual(new Set(json.map((r) => r.json.event)), new Set(WEBHOOK_EVENTS));
    for (const path of ['/json', '/slack', '/teams']) {
      const got = receiver.delivered(path);
      assert.equal(got.length, json.length, `${path} gets every event the JSON webhook gets`);
      for (const r of got) {
        assert.ok(verified(r, SECRET), `${path} ${r.headers['x-jit-event']} is signed with the secret`);
        assert.equal(verified(r, 'another-secret-entirely'), false);
      }
    }
    const created = json.find((r) => r.json.event === 'request.created')!;
    assert.equal(created.json.requestId, request.id);
    assert.equal(created.json.link, `${LINK}${request.id}`);
    assert.match(created.json.text, /alice asked for access to demo\/sales for 1h in shop .*"ticket 42"/);
    const expiredGrant = json.find((r) => r.json.event === 'grant.expired' && r.json.data.grantId === expiring.id)!;
    assert.equal(expiredGrant.json.link, `${LINK}${expiring.requestId}`, 'a grant event links to its request');
    assert.ok(json.some((r) => r.json.event === 'role.expired' && r.json.data.bindingId === bindingId));

    const slackRevoke = receiver.delivered('/slack').find((r) => r.headers['x-jit-event'] === 'grant.revoked')!;
    assert.match(slackRevoke.json.text, /bob revoked alice's access grant .* in shop: "done"/);
    assert.equal(slackRevoke.json.blocks[0].type, 'section');
    assert.match(slackRevoke.json.blocks[1].elements[0].text, new RegExp(`<${LINK}${request.id}\\|Open request ${request.id}>`));
    const teamsReject = receiver.delivered('/teams').find((r) => r.headers['x-jit-event'] === 'request.rejected')!;
    assert.equal(teamsReject.json['@type'], 'MessageCard');
    assert.equal(teamsReject.json.title, 'Request rejected');
    assert.deepEqual(teamsReject.json.potentialAction[0].targets, [{ os: 'default', uri: `${LINK}${rejected.id}` }]);

    const project = receiver.delivered('/shop-rejections');
    assert.deepEqual(project.map((r) => [r.json.event, r.json.requestId]), [['request.rejected', rejected.id]], 'a webhook gets only the events it asked for');
    assert.equal(project[0].headers['x-jit-signature'], undefined, 'no secret, no signature');
  });

  it('retries after 500s with backoff on the clock, then delivers', async () => {
    await start((c) => (c.webhooks = [hook('flaky', 'json')]));
    receiver.answer = (_path, nth) => (nth < 2 ? 500 : 200);
    const { request } = await requestAccess(h);
    await settled();
    assert.equal(receiver.received.length, 1);
    const [pending] = await deliveries('pending');
    assert.equal(pending.attempts, 1);
    assert.equal(pending.lastError, 'HTTP 500');
    assert.ok(Date.parse(pending.nextAttemptTime) > h.clock.now(), 'the retry waits');
    await h.advance(1000);
    await settled();
    assert.equal(receiver.received.length, 1, 'nothing is sent before the backoff has passed');
    await nextRetry();
    await nextRetry();
    assert.deepEqual(receiver.received.map((r) => r.status), [500, 500, 200]);
    assert.equal(receiver.delivered('/flaky')[0].json.requestId, request.id);
    const [delivered] = await deliveries('delivered');
    assert.equal(delivered.attempts, 3);
    assert.deepEqual(await deliveries('failed'), []);
  });

  it('gives up after maxAttempts: the delivery is listed as failed and audited, and an admin retries it', async () => {
    await start((c) => {
      c.webhooks = [hook('down', 'slack')];
      c.webhookDelivery.maxAttempts = 3;
    });
    receiver.answer = () => 503;
    const { request } = await requestAccess(h);
    await settled();
    await nextRetry();
    await nextRetry();
    await nextRetry();
    assert.equal(receiver.received.length, 3, 'no attempt past maxAttempts');
    const [failed] = await deliveries('failed');
    assert.deepEqual(
      { event: failed.event, requestId: failed.requestId, attempts: failed.attempts, lastError: failed.lastError, webhook: failed.webhook },
      { event: 'request.created', requestId: request.id, attempts: 3, lastError: 'HTTP 503', webhook: { id: 'down' } },
    );
    const audited = h.auditLines().filter((l) => l.action === 'webhook.failed');
    assert.equal(audited.length, 1);
    assert.deepEqual(audited[0].detail, { delivery: failed.id, webhook: 'down', scope: 'workspace', event: 'request.created', attempts: 3, error: 'HTTP 503' });

    assert.equal((await h.json('dana', 'POST', `${API}/workspace/webhook-deliveries/${failed.id}/retry`)).status, 403);
    receiver.answer = () => 200;
    const retried = await h.json('admin', 'POST', `${API}/workspace/webhook-deliveries/${failed.id}/retry`);
    assert.equal(retried.status, 200);
    assert.equal(retried.body.status, 'pending');
    await settled();
    assert.equal(receiver.delivered('/down').length, 1);
    assert.deepEqual(await deliveries('failed'), []);
    assert.equal(h.auditLines().filter((l) => l.action === 'webhook.retried' && l.actor === 'admin').length, 1);
    const again = await h.json('admin', 'POST', `${API}/workspace/webhook-deliveries/${failed.id}/retry`);
    assert.equal(again.status, 409, 'only failed deliveries are retried');
  });

  it('gives up at once on a refusal that retrying cannot change (404)', async () => {
    await start((c) => (c.webhooks = [hook('gone', 'slack')]));
    receiver.answer = () => 404;
    await requestAccess(h);
    await settled();
    await nextRetry();
    assert.equal(receiver.received.length, 1);
    assert.deepEqual((await deliveries('failed')).map((d: any) => [d.attempts, d.lastError]), [[1, 'HTTP 404']]);
  });

  it('keeps each webhook in commit order while an earlier delivery is retried', async () => {
    await start((c) => (c.webhooks = [hook('ordered', 'json', ['request.created']), hook('other', 'json', ['request.created'])]));
    receiver.answer = (path, nth) => (path === '/ordered' && nth === 0 ? 500 : 200);
    const made = await Promise.all([0, 1, 2, 3, 4].map((i) => requestAccess(h, { reason: `parallel ${i}` })));
    await settled();
    const ids = made.map((m) => m.request.id).sort((a, b) => Number(a) - Number(b));
    assert.deepEqual(receiver.delivered('/ordered'), [], 'nothing overtakes the delivery being retried');
    assert.deepEqual(receiver.delivered('/other').map((r) => r.json.requestId), ids, 'another webhook is not held up');
    await nextRetry();
    assert.deepEqual(receiver.delivered('/ordered').map((r) => r.json.requestId), ids);
  });

  it('a receiver that does not answer holds up only its own webhook', async () => {
    await start((c) => (c.webhooks = [hook('slow', 'json'), hook('fast', 'json')]));
    let release!: () => void;
    const held = new Promise<number>((resolve) => (release = () => resolve(200)));
    receiver.answer = (path) => (path === '/slow' ? held : 200);
    const ids = [(await requestAccess(h)).request.id, (await requestAccess(h)).request.id];
    await receiver.answered('/fast', 2);
    assert.deepEqual(receiver.delivered('/slow'), [], 'the slow receiver has not answered yet');
    release();
    await settled();
    assert.deepEqual(receiver.delivered('/slow').map((r) => r.json.requestId), ids);
  });

  it('sends nothing for a change that rolled back', async () => {
    await start((c) => (c.webhooks = [hook('json', 'json')]));
    await assert.rejects(
      change(h.service.deps, async (_tx, fx) => {
        fx.emit(['alice'], { type: 'request.created', data: { requestId: '999', project: 'shop', creator: 'alice', type: 'ACCESS_GRANT' } });
        throw new Error('the change fails');
      }),
      /the change fails/,
    );
    await settled();
    assert.deepEqual(await deliveries(), []);
    assert.equal(receiver.received.length, 0);
  });

  it('keeps pending deliveries across a restart', async () => {
    await start((c) => (c.webhooks = [hook('json', 'json')]));
    receiver.answer = () => 500;
    const { request } = await requestAccess(h);
    await settled();
    await h.restart();
    receiver.answer = () => 200;
    await nextRetry();
    assert.deepEqual(receiver.delivered('/json').map((r) => r.json.requestId), [request.id]);
  });

  describe('configuration', () => {
    beforeEach(() => start());
    const body = (extra: Record<string, unknown> = {}) => ({ url: receiver.url('/x'), format: 'teams', events: ['request.created'], ...extra });

    it('secrets are write-only: responses say whether one is set, the audit log never has it', async () => {
      const put = await h.json('admin', 'PUT', `${API}/workspace/webhooks/chat`, body({ secret: SECRET }));
      assert.equal(put.status, 200, JSON.stringify(put.body));
      assert.deepEqual(put.body, { id: 'chat', url: receiver.url('/x'), format: 'teams', events: ['request.created'], secretSet: true });
      const kept = await h.json('admin', 'PUT', `${API}/workspace/webhooks/chat`, body({ events: ['request.created', 'grant.revoked'] }));
      assert.equal(kept.body.secretSet, true, 'leaving the secret out keeps it');
      const listed = await h.json('admin', 'GET', `${API}/workspace/webhooks`);
      assert.deepEqual(listed.body.webhooks.map((w: any) => [w.id, w.secretSet, 'secret' in w]), [['chat', true, false]]);
      const project = await h.json('bob', 'PUT', `${API}/projects/shop/webhooks/owners`, body({ secret: `${SECRET}-2` }));
      assert.deepEqual([project.status, project.body.project, project.body.secretSet], [200, 'shop', true]);
      assert.equal((await h.json('bob', 'GET', `${API}/projects/shop/webhooks`)).body.webhooks[0].secretSet, true);
      const removed = await h.json('admin', 'PUT', `${API}/workspace/webhooks/chat`, body({ secret: null }));
      assert.equal(removed.body.secretSet, false);

      const log = JSON.stringify(h.auditLines());
      assert.ok(!log.includes(SECRET), 'no secret in the audit log');
      assert.ok(!log.includes('/x'), "no webhook URL path (Slack's is a credential) in the audit log");
      assert.deepEqual(h.auditLines().filter((l) => l.action === 'webhook.saved').map((l) => l.detail.secretSet), [true, true, true, false]);
    });

    it('only admins manage workspace webhooks, only owners and admins a project\'s; refusals change nothing', async () => {
      await expectRefused(h, () => callAs(h, 'alice', 'PUT', `${API}/workspace/webhooks/x`, body()), 403, 'PERMISSION_DENIED', /workspace admins/);
      await expectRefused(h, () => callAs(h, 'bob', 'PUT', `${API}/workspace/webhooks/x`, body()), 403, 'PERMISSION_DENIED', /workspace admins/);
      await expectRefused(h, () => callAs(h, 'dana', 'GET', `${API}/workspace/webhooks`), 403, 'PERMISSION_DENIED', /workspace admins/);
      await expectRefused(h, () => callAs(h, 'alice', 'PUT', `${API}/projects/shop/webhooks/x`, body()), 403, 'PERMISSION_DENIED', /project owners/);
      await expectRefused(h, () => callAs(h, 'olga', 'GET', `${API}/projects/shop/webhooks`), 403, 'PERMISSION_DENIED', /not a member/);
      await expectRefused(h, () => callAs(h, 'alice', 'GET', `${API}/workspace/webhook-deliveries?status=failed`), 403, 'PERMISSION_DENIED', /workspace admins/);
      assert.deepEqual((await h.json('admin', 'GET', `${API}/workspace/webhooks`)).body.webhooks, []);
      assert.equal((await h.json('admin', 'PUT', `${API}/projects/ops/webhooks/x`, body())).status, 200);
      assert.equal((await h.json('bob', 'DELETE', `${API}/projects/ops/webhooks/x`)).status, 403);
      assert.equal((await h.call('admin', 'DELETE', `${API}/projects/ops/webhooks/x`)).status, 204);
      await expectRefused(h, () => callAs(h, 'admin', 'DELETE', `${API}/projects/ops/webhooks/x`), 404, 'NOT_FOUND', /No webhook "x"/);
    });

    it('the OpenAPI document has the webhook routes, and its Webhook schema has no secret', async () => {
      const doc = (await h.json(null, 'GET', '/openapi.json')).body;
      for (const path of ['/workspace/webhooks', '/workspace/webhooks/{id}', '/projects/{p}/webhooks', '/projects/{p}/webhooks/{id}', '/workspace/webhook-deliveries', '/workspace/webhook-deliveries/{id}/retry']) {
        assert.ok(doc.paths[`${API}${path}`], `${path} is documented`);
      }
      assert.deepEqual(doc.paths[`${API}/workspace/webhook-deliveries`].get.parameters.find((p: any) => p.name === 'status').schema.enum, ['pending', 'delivered', 'failed']);
      assert.ok(!('secret' in doc.components.schemas.Webhook.properties));
      assert.ok('secret' in doc.components.schemas.WebhookBody.properties);
    });

    it('refuses targets that are not http(s), link-local, or loopback when not allowed; bad fields are named', async () => {
      const refuse = (extra: Record<string, unknown>, ...words: [RegExp]) =>
        expectRefused(h, () => callAs(h, 'admin', 'PUT', `${API}/workspace/webhooks/x`, body(extra)), 400, 'INVALID_ARGUMENT', ...words);
      await refuse({ url: 'ftp://chat.example.com/hook' }, /http:\/\/ or https:\/\//);
      await refuse({ url: 'http://169.254.169.254/latest' }, /link-local/);
      await refuse({ format: 'email' }, /format/);
      await refuse({ events: ['grant.activated'] }, /events/);
      await refuse({ events: [] }, /at least one event/);
      await refuse({ secret: 'short' }, /at least 16 characters/);
      await refuse({ extra: 1 }, /unknown field/);
    });
  });

  it('loopback targets need webhookDelivery.allowLoopback, in the config file and the API', async () => {
    const file = { webhooks: [{ id: 'x', url: 'http://localhost:9/x', format: 'json', events: ['request.created'] }] };
    assert.throws(() => parseConfig(file, 'jit.json'), /\$\.webhooks\[0\]\.url: must not point at this host \(loopback\) unless webhookDelivery\.allowLoopback is on/);
    assert.equal(parseConfig({ ...file, webhookDelivery: { allowLoopback: true } }, 'jit.json').webhooks?.length, 1);
    h = await startHarness();
    const put = () => callAs(h, 'admin', 'PUT', `${API}/workspace/webhooks/x`, { url: 'http://[::1]:9/x', format: 'json', events: ['request.created'] });
    await expectRefused(h, put, 400, 'INVALID_ARGUMENT', /loopback/);
  });
});
