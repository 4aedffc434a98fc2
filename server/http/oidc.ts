// Identity-provider tokens (auth.oidc), verified with jose. The keys come from the issuer's JWKS,
// found through its discovery document and cached; a token naming a key the cache lacks (the
// provider rotated its keys) fetches them again, but at most once per cooldown, so tokens with
// made-up key ids cannot make the service hammer the provider. Every refusal says what to do
// next and names nothing of the service's inside.
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from 'jose';
import { parseDuration } from '../../contract/duration.js';
import type { OidcConfig } from '../config/oidc-schema.js';
import type { Actor } from '../domain/deps.js';
import { DomainError } from '../domain/errors.js';
import { actorFromClaims } from '../domain/identity.js';
import type { State } from '../store/config-store.js';

/** No "none" and no HS*: a shared secret would let anyone who guesses it mint tokens. */
const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];
const KEYS_MAX_AGE_MS = 10 * 60_000;
const REFETCH_COOLDOWN_MS = 30_000;
const FETCH_TIMEOUT_MS = 5_000;

const JWT_SHAPE = /^[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]+$/;
export const looksLikeJwt = (token: string) => JWT_SHAPE.test(token);

const unauthenticated = (message: string) => new DomainError('UNAUTHENTICATED', message);
/** Strings from an unverified token, quoted and cut short before they go into a message. */
const quote = (value: unknown) => JSON.stringify(String(value).slice(0, 200));

export type OidcAuthenticator = (token: string, state: Readonly<State>) => Promise<Actor>;

export function createOidcAuthenticator(config: OidcConfig, now: () => number): OidcAuthenticator {
  const skewSeconds = parseDuration(config.clockSkew)! / 1000;
  const unreachable = () => new DomainError('UNAVAILABLE', `The identity provider ${config.issuer} cannot be reached to check the token; try again shortly`);
  let jwksUri: string | undefined;
  let keys: { get: ReturnType<typeof createLocalJWKSet>; fetchedAt: number } | undefined;
  let loading: Promise<void> | undefined;

  async function fetchJson(url: string): Promise<Record<string, unknown>> {
    try {
      const res = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
      if (!res.ok) throw unreachable();
      return (await res.json()) as Record<string, unknown>;
    } catch {
      throw unreachable();
    }
  }

  async function fetchKeys(): Promise<void> {
    if (!jwksUri) {
      const discovery = await fetchJson(`${config.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
      // The discovery document names its issuer; a mismatch means auth.oidc.issuer points elsewhere.
      if (discovery.issuer !== config.issuer || typeof discovery.jwks_uri !== 'string') {
        throw new DomainError('UNAVAILABLE', `The identity provider at ${config.issuer} does not describe itself as that issuer; ask an admin to check auth.oidc.issuer`);
      }
      jwksUri = discovery.jwks_uri;
    }
    const jwks = await fetchJson(jwksUri);
    try {
      keys = { get: createLocalJWKSet(jwks as never), fetchedAt: now() };
    } catch {
      throw unreachable();
    }
  }

  /** One fetch at a time: a burst of requests after a rotation waits for the same keys. */
  function refresh(): Promise<void> {
    loading ??= fetchKeys().finally(() => (loading = undefined));
    return loading;
  }

  function explain(err: unknown): DomainError {
    if (err instanceof DomainError) return err;
    if (err instanceof errors.JWTExpired) return unauthenticated('Sign in again: your token expired');
    if (err instanceof errors.JWTClaimValidationFailed) {
      if (err.claim === 'aud') return unauthenticated(`The token is for audience ${quote(err.payload.aud)}, expected ${quote(config.audience)}; sign in to this service`);
      if (err.claim === 'nbf') return unauthenticated('The token is not valid yet; check the clocks of this machine and of the identity provider');
      if (err.claim === 'exp') return unauthenticated('The token has no expiry; sign in with a token the identity provider issued for this service');
    }
    if (err instanceof errors.JWKSNoMatchingKey) return unauthenticated('The token is signed with a key the identity provider does not publish; sign in again');
    return unauthenticated('The token\'s signature or claims are not valid; sign in again');
  }

  async function verify(token: string): Promise<JWTPayload> {
    let alg: unknown;
    let iss: unknown;
    try {
      alg = decodeProtectedHeader(token).alg;
      iss = decodeJwt(token).iss;
    } catch {
      throw unauthenticated('The token is not a well-formed JWT; sign in again');
    }
    // Checked before any key is fetched: a token from elsewhere must not make the service fetch keys.
    if (typeof alg !== 'string' || !ASYMMETRIC.includes(alg)) {
      throw unauthenticated(`The token is signed with ${quote(alg)}; only the identity provider's asymmetric signatures (RS, PS, ES, EdDSA) are accepted`);
    }
    if (iss !== config.issuer) throw unauthenticated(`The token is from issuer ${quote(iss)}, expected ${quote(config.issuer)}; sign in with that identity provider`);
    if (!keys || now() - keys.fetchedAt >= KEYS_MAX_AGE_MS) await refresh();
    const attempt = () =>
      jwtVerify(token, keys!.get, {
        issuer: config.issuer,
        audience: config.audience,
        algorithms: ASYMMETRIC,
        clockTolerance: skewSeconds,
        currentDate: new Date(now()),
        requiredClaims: ['exp'],
      }).then((r) => r.payload, (err: unknown) => err as Error);
    let result = await attempt();
    if (result instanceof errors.JWKSNoMatchingKey && now() - keys!.fetchedAt >= REFETCH_COOLDOWN_MS) {
      await refresh();
      result = await attempt();
    }
    if (result instanceof Error) throw explain(result);
    return result;
  }

  return async (token, state) => {
    const claims = await verify(token);
    return { ...actorFromClaims(state, config, claims), expiresAt: claims.exp! * 1000 };
  };
}
