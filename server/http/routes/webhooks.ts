import { createRoute, z } from '@hono/zod-openapi';
import type { Deps } from '../../domain/deps.js';
import { deleteWebhook, listDeliveries, listWebhooks, putWebhook, retryDelivery } from '../../domain/webhooks.js';
import { errors, json, jsonBody, router, secured } from '../env.js';
import { IdParam, ProjectParam } from '../../../contract/schemas.js';
import { DeliveryStatus, WebhookBody, WebhookDeliveryView, WebhookIdParam, WebhookView } from '../../../contract/webhook-schemas.js';

const SIGNING =
  'Each delivery is a POST with X-JIT-Delivery, X-JIT-Event, X-JIT-Timestamp (Unix seconds) and, when a secret is set, ' +
  'X-JIT-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>"> (see docs/webhooks.md).';
const Webhooks = json(z.object({ webhooks: z.array(WebhookView) }));

const listWorkspace = createRoute({ method: 'get', path: '/workspace/webhooks', security: secured, summary: 'List the workspace webhooks (admins)', responses: { 200: Webhooks, 401: errors[401], 403: errors[403] } });
const putWorkspace = createRoute({
  method: 'put', path: '/workspace/webhooks/{id}', security: secured, summary: 'Create or replace a workspace webhook (admins)', description: SIGNING,
  request: { params: WebhookIdParam, ...jsonBody(WebhookBody) },
  responses: { 200: json(WebhookView), 400: errors[400], 401: errors[401], 403: errors[403] },
});
const deleteWorkspace = createRoute({
  method: 'delete', path: '/workspace/webhooks/{id}', security: secured, summary: 'Remove a workspace webhook (admins)',
  request: { params: WebhookIdParam }, responses: { 204: { description: 'Removed' }, 401: errors[401], 403: errors[403], 404: errors[404] },
});
const ProjectWebhookParams = ProjectParam.merge(WebhookIdParam);
const listProject = createRoute({
  method: 'get', path: '/projects/{p}/webhooks', security: secured, summary: "List a project's webhooks (its owners and admins)",
  request: { params: ProjectParam }, responses: { 200: Webhooks, 401: errors[401], 403: errors[403], 404: errors[404] },
});
const putProject = createRoute({
  method: 'put', path: '/projects/{p}/webhooks/{id}', security: secured, summary: 'Create or replace a project webhook (its owners and admins)', description: SIGNING,
  request: { params: ProjectWebhookParams, ...jsonBody(WebhookBody) },
  responses: { 200: json(WebhookView), 400: errors[400], 401: errors[401], 403: errors[403], 404: errors[404] },
});
const deleteProject = createRoute({
  method: 'delete', path: '/projects/{p}/webhooks/{id}', security: secured, summary: 'Remove a project webhook (its owners and admins)',
  request: { params: ProjectWebhookParams }, responses: { 204: { description: 'Removed' }, 401: errors[401], 403: errors[403], 404: errors[404] },
});
const listDeliveriesRoute = createRoute({
  method: 'get', path: '/workspace/webhook-deliveries', security: secured, summary: 'List webhook deliveries, newest first (admins)',
  description: 'status=failed lists the deliveries given up after their last attempt, with the error; retry them with POST …/{id}/retry.',
  request: { query: z.object({ status: DeliveryStatus.optional(), limit: z.coerce.number().int().min(1).max(1000).default(100) }) },
  responses: { 200: json(z.object({ deliveries: z.array(WebhookDeliveryView) })), 400: errors[400], 401: errors[401], 403: errors[403] },
});
const retryRoute = createRoute({
  method: 'post', path: '/workspace/webhook-deliveries/{id}/retry', security: secured, summary: 'Send a failed delivery again (admins)',
  request: { params: IdParam }, responses: { 200: json(WebhookDeliveryView), 401: errors[401], 403: errors[403], 404: errors[404], 409: errors[409] },
});

export const webhookRoutes = (deps: Deps) =>
  router()
    .openapi(listWorkspace, async (c) => c.json({ webhooks: await listWebhooks(deps, c.get('actor'), {}) }, 200))
    .openapi(putWorkspace, async (c) => c.json(await putWebhook(deps, c.get('actor'), {}, c.req.valid('param').id, c.req.valid('json')), 200))
    .openapi(deleteWorkspace, async (c) => {
      await deleteWebhook(deps, c.get('actor'), {}, c.req.valid('param').id);
      return c.body(null, 204);
    })
    .openapi(listProject, async (c) => c.json({ webhooks: await listWebhooks(deps, c.get('actor'), { project: c.req.valid('param').p }) }, 200))
    .openapi(putProject, async (c) => {
      const { p, id } = c.req.valid('param');
      return c.json(await putWebhook(deps, c.get('actor'), { project: p }, id, c.req.valid('json')), 200);
    })
    .openapi(deleteProject, async (c) => {
      const { p, id } = c.req.valid('param');
      await deleteWebhook(deps, c.get('actor'), { project: p }, id);
      return c.body(null, 204);
    })
    .openapi(listDeliveriesRoute, async (c) => c.json({ deliveries: await listDeliveries(deps, c.get('actor'), c.req.valid('query')) }, 200))
    .openapi(retryRoute, async (c) => c.json(await retryDelivery(deps, c.get('actor'), c.req.valid('param').id), 200));
