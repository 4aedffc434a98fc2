// The API calls of issue 16 as the service's contract names them: query and export with a
// role, revoke a role binding, cancel a request.
import assert from 'node:assert/strict';
import { ApiClient, type Fetch } from '../../../extension/core/api-client.js';

function recording(response: () => Response) {
  const calls: { url: string; method?: string; body?: unknown }[] = [];
  const fetch: Fetch = async (url, init) => {
    calls.push({ url, method: init.method, body: init.body === undefined ? undefined : JSON.parse(String(init.body)) });
    return response();
  };
  return { client: new ApiClient({ baseUrl: 'http://svc', token: async () => 't', fetch }), calls };
}

describe('ApiClient for roles and cancel', () => {
  it('queries with a role: POST /projects/{p}/query with the database and statement', async () => {
    const { client, calls } = recording(() => Response.json({ columns: [], rows: [], rowCount: 0, truncated: false, durationMs: 1 }));
    await client.query('shop', 'demo/hr_us', 'SELECT 1');
    assert.deepEqual(calls, [{ url: 'http://svc/api/v1/projects/shop/query', method: 'POST', body: { database: 'demo/hr_us', statement: 'SELECT 1' } }]);
  });

  it('exports with a role: POST /projects/{p}/export, named by the service or after the project', async () => {
    const named = recording(() => new Response('a,b\n', { headers: { 'content-disposition': 'attachment; filename="employees.csv"' } }));
    const download = await named.client.exportQuery('shop', 'demo/hr_us', 'SELECT 1', 'csv');
    assert.equal(download.fileName, 'employees.csv');
    assert.deepEqual(named.calls, [{ url: 'http://svc/api/v1/projects/shop/export', method: 'POST', body: { database: 'demo/hr_us', statement: 'SELECT 1', format: 'csv' } }]);
    const unnamed = recording(() => new Response('a,b\n'));
    assert.equal((await unnamed.client.exportQuery('shop', 'demo/hr_us', 'SELECT 1', 'json')).fileName, 'shop-export.json');
  });

  it('revokes a role binding with the reason, or none', async () => {
    const { client, calls } = recording(() => Response.json({ id: 'b-1', state: 'REVOKED' }));
    await client.revokeRole('b-1', 'done');
    await client.revokeRole('b-1');
    assert.deepEqual(calls, [
      { url: 'http://svc/api/v1/role-bindings/b-1/revoke', method: 'POST', body: { reason: 'done' } },
      { url: 'http://svc/api/v1/role-bindings/b-1/revoke', method: 'POST', body: {} },
    ]);
  });

  it('cancels a request: POST /requests/{id}/cancel', async () => {
    const { client, calls } = recording(() => Response.json({ id: '7', status: 'CANCELED' }));
    await client.decide('7', 'cancel');
    assert.deepEqual(calls, [{ url: 'http://svc/api/v1/requests/7/cancel', method: 'POST', body: {} }]);
  });
});
