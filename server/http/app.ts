// createApp(deps): the whole HTTP surface, built from injected dependencies so tests run it
// in-process with app.request() and a fake clock.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import type { Deps } from '../domain/deps.js';
import { DomainError } from '../domain/errors.js';
import { authenticate } from './auth.js';
import type { AppEnv } from './env.js';
import type { OidcAuthenticator } from './oidc.js';
import { errorResponse, toDomainError } from './errors.js';
import { auditRoutes } from './routes/audit.js';
import { dataRoutes } from './routes/data.js';
import { eventRoutes } from './routes/events.js';
import { grantRoutes } from './routes/grants.js';
import { meRoutes } from './routes/me.js';
import { projectRoutes } from './routes/projects.js';
import { requestRoutes } from './routes/requests.js';
import { roleBindingRoutes } from './routes/role-bindings.js';
import { ruleRoutes } from './routes/rules.js';
import { webhookRoutes } from './routes/webhooks.js';
import { workspaceRoutes } from './routes/workspace.js';

export const API_PREFIX = '/api/v1';
export const MAX_BODY_BYTES = 256 * 1024;

export interface AppOptions {
  /** Called with unexpected errors (the 500s), for the service log. */
  onInternalError?: (err: unknown) => void;
  /** Accepts the identity provider's tokens (auth.oidc) besides the static ones. */
  oidc?: OidcAuthenticator;
}

export function createApp(deps: Deps, options: AppOptions = {}) {
  const api = new OpenAPIHono<AppEnv>();
  api.use('*', authenticate(deps, options.oidc));
  const apiRoutes = api
    .route('/', meRoutes(deps))
    .route('/', workspaceRoutes(deps))
    .route('/', webhookRoutes(deps))
    .route('/', projectRoutes(deps))
    .route('/', requestRoutes(deps))
    .route('/', grantRoutes(deps))
    .route('/', roleBindingRoutes(deps))
    .route('/', dataRoutes(deps))
    .route('/', ruleRoutes(deps))
    .route('/', auditRoutes(deps))
    .route('/', eventRoutes(deps));

  const app = new OpenAPIHono<AppEnv>();
  app.use('*', secureHeaders());
  app.use(
    '*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new DomainError('PAYLOAD_TOO_LARGE', `The request body is larger than ${MAX_BODY_BYTES / 1024} KiB`);
      },
    }),
  );
  const health = createRoute({
    method: 'get', path: '/healthz', summary: 'Check that the service is up', description: 'Liveness; no authentication.',
    responses: { 200: { description: 'OK', content: { 'application/json': { schema: z.object({ status: z.literal('ok') }) } } } },
  });
  const routes = app.openapi(health, (c) => c.json({ status: 'ok' as const }, 200)).route(API_PREFIX, apiRoutes);

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Just-in-Time Access',
      version: '1',
      description: 'Time-boxed, approved, audited read-only database access. Errors are {"error":{"code","message","details?"}}.',
    },
  });
  app.notFound((c) => errorResponse(c, new DomainError('NOT_FOUND', `No route for ${c.req.method} ${c.req.path}`)));
  app.onError((err, c) => {
    const domain = toDomainError(err);
    if (domain.code === 'INTERNAL') options.onInternalError?.(err);
    return errorResponse(c, domain);
  });
  return routes;
}

/** The app's route types, for Hono's typed client `hc<AppType>`. */
export type AppType = ReturnType<typeof createApp>;
