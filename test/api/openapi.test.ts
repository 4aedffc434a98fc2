// The served OpenAPI document is the API's reference (docs/api.md points at it): every
// operation must say in a line what it does.
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../support/harness.js';

const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

describe('OpenAPI document', () => {
  let h: Harness;
  before(async () => (h = await startHarness()));
  after(async () => h.close());

  it('is served without authentication as OpenAPI 3.1', async () => {
    const res = await h.json(null, 'GET', '/openapi.json');
    assert.equal(res.status, 200);
    assert.match(res.body.openapi, /^3\.1\./);
    assert.ok(Object.keys(res.body.paths).length > 0);
  });

  it('gives every operation a summary', async () => {
    const doc = (await h.json(null, 'GET', '/openapi.json')).body as { paths: Record<string, Record<string, { summary?: string }>> };
    const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([method]) => METHODS.has(method))
        .map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, summary: op.summary })),
    );
    assert.ok(operations.length >= 25, `only ${operations.length} operations documented`);
    const missing = operations.filter((op) => typeof op.summary !== 'string' || op.summary.trim() === '').map((op) => op.name);
    assert.deepEqual(missing, [], 'operations without a summary');
  });

  it('documents each event of GET /events by name, with the payload it carries', async () => {
    const doc = (await h.json(null, 'GET', '/openapi.json')).body;
    const messages = doc.paths['/api/v1/events'].get.responses['200'].content['text/event-stream'].schema.oneOf as { title: string; properties: { event: { const: string }; data: { required?: string[] } } }[];
    const byName = new Map(messages.map((m) => [m.properties.event.const, m.properties.data]));
    assert.equal(byName.size, 14);
    assert.deepEqual(byName.get('grant.expiring')?.required, ['grantId', 'project', 'expireTime']);
    assert.deepEqual(byName.get('approval.awaiting')?.required, ['requestId', 'project', 'type', 'requester', 'step', 'summary']);
    assert.deepEqual(byName.get('role.revoked')?.required, ['id', 'project', 'role', 'user', 'by']);
  });
});
