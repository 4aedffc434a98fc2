// A real OpenID provider (oidc-provider) on 127.0.0.1 for the sign-in tests: it publishes its
// discovery document and JWKS and issues signed JWT access tokens through its token endpoint
// (client credentials; one client per test user, each token carrying that user's claims).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import Provider from 'oidc-provider';

export const TEST_AUDIENCE = 'urn:jit-access';
const TOKEN_TTL_SECONDS = 300;

export interface LoopbackProvider {
  issuer: string;
  /** A fresh access token for the client named `user`, for `audience`. */
  token(user: string, audience?: string): Promise<string>;
  /** Publishes a new signing key (the old one stays published); tokens from now on use the new one. */
  rotateKeys(): Promise<void>;
  close(): Promise<void>;
}

async function signingKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  return { ...(await exportJWK(privateKey)), kid: crypto.randomUUID(), alg: 'ES256', use: 'sig' };
}

/** `claims`: for each client (user) the claims its tokens carry besides the provider's own. */
export async function startLoopbackProvider(claims: Record<string, Record<string, unknown>>): Promise<LoopbackProvider> {
  let handle: ReturnType<Provider['callback']> | undefined;
  const server: Server = createServer((req, res) => void handle!(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const secret = (user: string) => `${user}-client-secret-for-tests`;

  const provider = (keys: JWK[]) =>
    new Provider(issuer, {
      clients: Object.keys(claims).map((user) => ({
        client_id: user, client_secret: secret(user), id_token_signed_response_alg: 'ES256', grant_types: ['client_credentials'], redirect_uris: [], response_types: [], token_endpoint_auth_method: 'client_secret_post',
      })),
      jwks: { keys },
      ttl: { ClientCredentials: TOKEN_TTL_SECONDS },
      features: {
        devInteractions: { enabled: false },
        clientCredentials: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => TEST_AUDIENCE,
          useGrantedResource: () => true,
          getResourceServerInfo: (_ctx: unknown, resource: string) => ({
            scope: 'api', audience: resource, accessTokenTTL: TOKEN_TTL_SECONDS, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'ES256' } },
          }),
        },
      },
      extraTokenClaims: (_ctx: unknown, token: { clientId: string }) => claims[token.clientId],
    }).callback();

  let keys = [await signingKey()];
  handle = provider(keys);
  return {
    issuer,
    async token(user, audience = TEST_AUDIENCE) {
      const res = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: user, client_secret: secret(user), resource: audience, scope: 'api' }),
      });
      const body = (await res.json()) as { access_token?: string };
      if (!res.ok || !body.access_token) throw new Error(`the provider issued no token for ${user}: ${JSON.stringify(body)}`);
      return body.access_token;
    },
    async rotateKeys() {
      keys = [await signingKey(), ...keys];
      handle = provider(keys);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
