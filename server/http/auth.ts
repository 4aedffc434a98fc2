// Bearer tokens, stored as SHA-256 hashes and compared in constant time against every user,
// so neither a lookup nor an early exit tells an attacker how close a guess was.
import { timingSafeEqual } from 'node:crypto';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { MiddlewareHandler } from 'hono';
import type { Deps } from '../domain/deps.js';
import { DomainError } from '../domain/errors.js';
import { hashToken } from '../store/config-store.js';
import type { AppEnv } from './env.js';

const BEARER = /^Bearer ([\x21-\x7e]{1,512})$/;

function clientAddress(c: Parameters<MiddlewareHandler>[0]): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined; // in-process requests (tests) have no socket
  }
}

export function authenticate(deps: Deps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const match = BEARER.exec(c.req.header('authorization') ?? '');
    if (!match) throw new DomainError('UNAUTHENTICATED', 'Sign in: send "Authorization: Bearer <token>"');
    const presented = Buffer.from(hashToken(match[1]), 'hex');
    let found: { id: string; workspaceRole: AppEnv['Variables']['actor']['workspaceRole'] } | undefined;
    for (const user of (await deps.config.read()).users) {
      if (timingSafeEqual(presented, Buffer.from(user.tokenHash, 'hex')) && !found) found = user;
    }
    if (!found) throw new DomainError('UNAUTHENTICATED', 'The token is not valid; sign in again with a current token');
    c.set('actor', {
      id: found.id,
      workspaceRole: found.workspaceRole,
      clientAddress: clientAddress(c),
      userAgent: c.req.header('user-agent')?.slice(0, 256),
    });
    await next();
  };
}
