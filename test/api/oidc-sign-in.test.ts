// Signing in with the identity provider's tokens: a real OpenID provider on loopback issues
// them, the service verifies them against its published keys (nothing mocked below HTTP).
import assert from 'node:assert/strict';
import { SignJWT } from 'jose';
import { FakeClock } from '../support/fake-clock.js';
import { startHarness, testConfig, type Harness } from '../support/harness.js';
import { startLoopbackProvider, TEST_AUDIENCE, type LoopbackProvider } from '../support/oidc-provider.js';
import { API, requestAccess } from './helpers.js';

const USERS = {
  alice: { preferred_username: 'alice', groups: ['shop-owners'] },
  erin: { preferred_username: 'erin', name: 'Erin Analyst', email: 'erin@example.com', groups: ['analysts', 'unmapped'] },
  mallory: { preferred_username: 'mallory', groups: ['unmapped'] },
};

describe('sign-in with the identity provider (OIDC)', () => {
  let idp: LoopbackProvider;
  let other: LoopbackProvider;
  let h: Harness;

  before(async () => {
    [idp, other] = await Promise.all([startLoopbackProvider(USERS), startLoopbackProvider(USERS)]);
  });
  after(async () => {
    await Promise.all([idp.close(), other.close()]);
  });
  beforeEach(async () => {
    const config = testConfig((c) => {
      c.auth = {
        oidc: {
          issuer: idp.issuer, audience: TEST_AUDIENCE, groupsClaim: 'groups', clockSkew: '60s',
          groupRoles: { 'shop-owners': { projects: { shop: ['projectOwner'] } }, analysts: { projects: { shop: ['projectDeveloper'] } } },
        },
      };
    });
    // The provider stamps tokens with the real time; the service's clock starts there.
    h = await startHarness(config, { clock: new FakeClock(Date.now()) });
  });
  afterEach(() => h.close());

  const me = async (token: string) => {
    const res = await h.call(null, 'GET', `${API}/me`, undefined, { authorization: `Bearer ${token}` });
    return { status: res.status, body: await res.json() };
  };
  const shopRoles = (body: { projects: { id: string; roles: { role: string }[] }[] }) => body.projects.find((p) => p.id === 'shop')?.roles.map((r) => r.role).sort();

  it('accepts a configured user\'s token: the configured roles, and those its groups add', async () => {
    const r = await me(await idp.token('alice'));
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.user, { id: 'alice', name: 'Alice Developer', email: 'alice@example.com' });
    assert.equal(r.body.workspaceRole, 'workspaceMember');
    assert.deepEqual(shopRoles(r.body), ['projectDeveloper', 'projectOwner']);
  });

  it('lets in a user the config does not list through a mapped group, with the group\'s project roles', async () => {
    const token = await idp.token('erin');
    const r = await me(token);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.user, { id: 'erin', name: 'Erin Analyst', email: 'erin@example.com' });
    assert.deepEqual(shopRoles(r.body), ['projectDeveloper']);
    const projects = await h.call(null, 'GET', `${API}/projects`, undefined, { authorization: `Bearer ${token}` });
    assert.equal(projects.status, 200);
    assert.deepEqual(((await projects.json()) as { projects: { id: string }[] }).projects.map((p) => p.id), ['shop']);
  });

  it('refuses a user neither configured nor in a mapped group, saying whom to ask', async () => {
    const r = await me(await idp.token('mallory'));
    assert.equal(r.status, 403);
    assert.equal(r.body.error.message, 'Signed in as mallory, but mallory has no access: ask an admin to add you or one of your groups');
  });

  it('accepts a token within the clock skew after its expiry and refuses it after', async () => {
    const token = await idp.token('alice');
    await h.advance(300_000 + 59_000);
    assert.equal((await me(token)).status, 200);
    await h.advance(2_000);
    const r = await me(token);
    assert.equal(r.status, 401);
    assert.equal(r.body.error.message, 'Sign in again: your token expired');
  });

  it('refuses a token for another audience, naming both', async () => {
    const r = await me(await idp.token('alice', 'urn:another-service'));
    assert.equal(r.status, 401);
    assert.equal(r.body.error.message, `The token is for audience "urn:another-service", expected "${TEST_AUDIENCE}"; sign in to this service`);
  });

  it('refuses a token from another issuer', async () => {
    const r = await me(await other.token('alice'));
    assert.equal(r.status, 401);
    assert.equal(r.body.error.message, `The token is from issuer "${other.issuer}", expected "${idp.issuer}"; sign in with that identity provider`);
  });

  it('refuses an HS256 token signed with a guessable secret, though its claims are right', async () => {
    const forged = await new SignJWT({ preferred_username: 'admin', groups: ['shop-owners'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(idp.issuer)
      .setAudience(TEST_AUDIENCE)
      .setIssuedAt(Math.floor(h.clock.now() / 1000))
      .setExpirationTime(Math.floor(h.clock.now() / 1000) + 300)
      .sign(new TextEncoder().encode('secret'));
    const r = await me(forged);
    assert.equal(r.status, 401);
    assert.match(r.body.error.message, /signed with "HS256"; only the identity provider's asymmetric signatures/);
  });

  it('follows a key rotation: a token with the new key is accepted once the keys are fetched again, not more often than the cooldown', async () => {
    assert.equal((await me(await idp.token('alice'))).status, 200);
    await idp.rotateKeys();
    const rotated = await idp.token('alice');
    const soon = await me(rotated);
    assert.equal(soon.status, 401);
    assert.equal(soon.body.error.message, 'The token is signed with a key the identity provider does not publish; sign in again');
    await h.advance(30_000);
    const r = await me(rotated);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.user.id, 'alice');
  });

  it('streams the user\'s events to a token\'s event stream until the token expires, then ends it', async () => {
    const res = await h.call(null, 'GET', `${API}/events`, undefined, { authorization: `Bearer ${await idp.token('alice')}` });
    assert.equal(res.status, 200);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    /** Reads until `enough` holds (false) or the stream ends (true). */
    const readUntil = async (enough: () => boolean) => {
      while (!enough()) {
        const chunk = await reader.read();
        if (chunk.done) return true;
        text += chunk.value;
      }
      return false;
    };
    const created = () => text.split('event: request.created').length - 1;
    await requestAccess(h);
    assert.equal(await readUntil(() => created() === 1), false);
    await h.advance(300_000 + 61_000);
    await requestAccess(h);
    assert.equal(await readUntil(() => false), true, 'the stream ends');
    assert.equal(created(), 1, 'nothing is sent after the token expired');
  });

  it('answers 503 naming the provider when it cannot be reached, and takes static tokens still', async () => {
    const gone = await startLoopbackProvider(USERS);
    const token = await gone.token('alice');
    await gone.close();
    const cut = await startHarness(testConfig((c) => (c.auth = { oidc: { issuer: gone.issuer, audience: TEST_AUDIENCE, groupsClaim: 'groups', clockSkew: '60s', groupRoles: {} } })), { clock: new FakeClock(Date.now()) });
    try {
      const res = await cut.call(null, 'GET', `${API}/me`, undefined, { authorization: `Bearer ${token}` });
      assert.equal(res.status, 503);
      assert.deepEqual(await res.json(), { error: { code: 'UNAVAILABLE', message: `The identity provider ${gone.issuer} cannot be reached to check the token; try again shortly` } });
      assert.equal((await cut.json('bob', 'GET', `${API}/me`)).status, 200);
    } finally {
      await cut.close();
    }
  });

  it('still takes the static tokens of the config', async () => {
    const r = await h.json('bob', 'GET', `${API}/me`);
    assert.equal(r.status, 200);
    assert.equal(r.body.user.id, 'bob');
  });
});
