// Bearer tokens, stored as SHA-256 hashes and compared in constant time against every user,
// so neither a lookup nor an early exit tells an attacker how close a guess was.
import { timingSafeEqual } from 'node:crypto';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { MiddlewareHandler } from 'hono';
import type { Actor, Deps } from '../domain/deps.js';
import { DomainError } from '../domain/errors.js';
import { hashToken } from '../store/config-store.js';
import type { AppEnv } from './env.js';
import { looksLikeJwt, type OidcAuthenticator } from './oidc.js';

// Identity-provider JWTs run longer than static tokens (RSA signatures, group claims).
const BEARER = /^Bearer ([\x21-\x7e]{1,8192})$/;

function clientAddress(c: Parameters<MiddlewareHandler>[0]): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined; // in-process requests (tests) have no socket
  }
}

/** The configured user whose static token this is, comparing against every user. */
async function staticTokenUser(deps: Deps, token: string) {
  const presented = Buffer.from(hashToken(token), 'hex');
  let found: { id: string; workspaceRole: Actor['workspaceRole'] } | undefined;
  for (const user of (await deps.config.read()).users) {
    if (timingSafeEqual(presented, Buffer.from(user.tokenHash, 'hex')) && !found) found = user;
  }
  if (!found) throw new DomainError('UNAUTHENTICATED', 'The token is not valid; sign in again with a current token');
  return { id: found.id, workspaceRole: found.workspaceRole };
}

/** A token shaped like a JWT goes to the identity provider when one is configured; any other is a static token. */
export function authenticate(deps: Deps, oidc?: OidcAuthenticator): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const match = BEARER.exec(c.req.header('authorization') ?? '');
    if (!match) throw new DomainError('UNAUTHENTICATED', 'Sign in: send "Authorization: Bearer <token>"');
    const token = match[1];
    const who = oidc && looksLikeJwt(token) ? await oidc(token, await deps.config.read()) : await staticTokenUser(deps, token);
    c.set('actor', { ...who, clientAddress: clientAddress(c), userAgent: c.req.header('user-agent')?.slice(0, 256) });
    await next();
  };
}
