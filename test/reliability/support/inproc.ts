// The in-process harness (test/support/harness.ts) with the reliability config, a caller for
// any user of it (demo and ops users), and the audit log and error bodies recorded for the
// secrets test.
import type { Config } from '../../../server/config/schema.js';
import { DEMO_TOKENS } from '../../../server/demo/demo-config.js';
import { startHarness, type Harness } from '../../support/harness.js';
import { OPS_TOKENS, reliabilityConfig } from './config.js';
import { record } from './outputs.js';

export const API = '/api/v1';
export const SALES_SELECT = 'SELECT country, count(*) AS n FROM customers GROUP BY country ORDER BY country';
export const TOKENS: Record<string, string> = { ...DEMO_TOKENS, ...OPS_TOKENS };
export type User = string | null;

export interface Rel {
  h: Harness;
  raw(user: User, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  call(user: User, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  audit(): any[];
  close(): Promise<void>;
}

export async function startRel(edit?: (c: Config) => void, extraTokens: Record<string, string> = {}): Promise<Rel> {
  const h = await startHarness(reliabilityConfig(edit));
  const tokens = { ...TOKENS, ...extraTokens };
  const raw: Rel['raw'] = (user, method, path, body, headers = {}) =>
    h.call(null, method, path, body, user === null ? headers : { authorization: `Bearer ${tokens[user] ?? 'no-such-user-token'}`, ...headers });
  return {
    h,
    raw,
    async call(user, method, path, body) {
      const res = await raw(user, method, path, body);
      const text = await res.text();
      if (res.status >= 400) record(`in-process ${method} ${path} → ${res.status}`, text);
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON (an export)
      }
      return { status: res.status, body: parsed as any };
    },
    audit: () => h.auditLines(),
    async close() {
      try {
        record(`in-process audit ${h.dataDir}`, JSON.stringify(h.auditLines()));
      } catch {
        // no audit log yet
      }
      await h.close();
    },
  };
}

/** alice's access request on shop (owner approves), returning { request, grant }. */
export async function request(r: Rel, overrides: Record<string, unknown> = {}, user = 'alice', project = 'shop') {
  const res = await r.call(user, 'POST', `${API}/projects/${project}/access-requests`, {
    databases: ['demo/sales'], statement: SALES_SELECT, duration: '1h', reason: 'reliability', ...overrides,
  });
  if (res.status !== 201) throw new Error(`request → ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { request: any; grant: any };
}

export async function approve(r: Rel, requestId: string, user = 'bob') {
  const res = await r.call(user, 'POST', `${API}/requests/${requestId}/approve`, {});
  if (res.status !== 200) throw new Error(`approve → ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** An ACTIVE grant of `user` in `project`, approved by its owner. */
export async function activeGrant(r: Rel, overrides: Record<string, unknown> = {}, user = 'alice', project = 'shop') {
  const { request: req, grant } = await request(r, overrides, user, project);
  await approve(r, req.id, project === 'shop' ? 'bob' : 'oscar');
  return (await r.call('admin', 'GET', `${API}/grants/${grant.id}`)).body;
}
