// Shared steps for the API tests: making requests and grants, deciding them, and checking
// that a refusal changed nothing (no ledger row, no audit line).
import assert from 'node:assert/strict';
import type { Config } from '../../server/config/schema.js';
import type { DemoUser, Harness } from '../support/harness.js';

export const API = '/api/v1';
const SALES_SELECT = 'SELECT country, count(*) AS n FROM customers GROUP BY country ORDER BY country';

/** Extra users some tests add to the config: carol (a second developer in shop) and olga (a member of project ops only). */
const EXTRA_TOKENS = { carol: 'carol-test-token', olga: 'olga-test-token' } as const;
type ExtraUser = keyof typeof EXTRA_TOKENS;
export type AnyUser = DemoUser | ExtraUser;

/** Config edit: adds carol to shop and a second project "ops" (its own database) with olga as its only member. */
export function addOtherUsers(c: Config): void {
  c.users.push(
    { id: 'carol', name: 'Carol Developer', email: 'carol@example.com', token: EXTRA_TOKENS.carol, workspaceRole: 'workspaceMember' },
    { id: 'olga', name: 'Olga Ops', email: 'olga@example.com', token: EXTRA_TOKENS.olga, workspaceRole: 'workspaceMember' },
  );
  c.projects[0].members.push({ user: 'carol', roles: ['projectDeveloper'] });
  c.projects.push({
    id: 'ops', name: 'Ops', settings: { allowRequestRole: true, jitAccess: true },
    members: [{ user: 'olga', roles: ['projectDeveloper'] }],
    databases: [{ name: 'demo/inventory', environment: 'prod' }],
  });
}

/** The raw response of a call as any user, the extra ones included; null is anonymous. */
export function rawAs(h: Harness, user: AnyUser | null, method: string, path: string, body?: unknown) {
  return user !== null && user in EXTRA_TOKENS
    ? h.call(null, method, path, body, { authorization: `Bearer ${EXTRA_TOKENS[user as ExtraUser]}` })
    : h.call(user as DemoUser | null, method, path, body);
}

/** Calls the API as any user and parses the JSON answer. */
export async function callAs(h: Harness, user: AnyUser | null, method: string, path: string, body?: unknown) {
  const res = await rawAs(h, user, method, path, body);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

export const accessBody = (overrides: Record<string, unknown> = {}) => ({
  databases: ['demo/sales'], statement: SALES_SELECT, duration: '1h', reason: 'ticket 42', ...overrides,
});

export async function requestAccess(h: Harness, overrides: Record<string, unknown> = {}, user: AnyUser = 'alice') {
  const r = await callAs(h, user, 'POST', `${API}/projects/shop/access-requests`, accessBody(overrides));
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body as { request: any; grant: any };
}

export async function requestRole(h: Harness, overrides: Record<string, unknown> = {}, user: AnyUser = 'alice') {
  const r = await callAs(h, user, 'POST', `${API}/projects/shop/role-requests`, {
    role: 'sqlEditorUser', databases: ['demo/sales'], duration: '1h', reason: 'on call', ...overrides,
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.request;
}

/** approve / reject / cancel as `user`, expecting success; returns the request. */
export async function decide(h: Harness, user: AnyUser, requestId: string, action: 'approve' | 'reject' | 'cancel' = 'approve') {
  const r = await callAs(h, user, 'POST', `${API}/requests/${requestId}/${action}`, {});
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

/** An ACTIVE grant of alice's on demo/sales, approved by bob. */
export async function activeGrant(h: Harness, overrides: Record<string, unknown> = {}) {
  const { request, grant } = await requestAccess(h, overrides);
  await decide(h, 'bob', request.id);
  return (await callAs(h, 'alice', 'GET', `${API}/grants/${grant.id}`)).body;
}

export const getGrant = async (h: Harness, id: string) => (await h.json('admin', 'GET', `${API}/grants/${id}`)).body;
export const getRequest = async (h: Harness, id: string) => (await h.json('admin', 'GET', `${API}/requests/${id}`)).body;
export const actions = (h: Harness) => h.auditLines().map((l) => l.action);

async function snapshot(h: Harness) {
  const ledger = h.service.deps.ledger;
  return {
    requests: JSON.stringify(await ledger.listRequests({})),
    grants: JSON.stringify(await ledger.listGrants({})),
    bindings: JSON.stringify(await ledger.listBindings({})),
    auditLines: h.auditLines().length,
  };
}

type Call = () => Promise<{ status: number; body: any }>;

async function refused(h: Harness, act: Call, status: number, code: string, words: RegExp[]) {
  const before = await snapshot(h);
  const res = await act();
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal(res.body?.error?.code, code, JSON.stringify(res.body));
  for (const w of words) assert.match(res.body.error.message, w);
  return { before, error: res.body.error };
}

/**
 * Runs `act`, which must be refused with `status` and `code` and a message matching every
 * pattern, and checks that the ledger and the audit log are exactly as before.
 */
export async function expectRefused(h: Harness, act: Call, status: number, code: string, ...words: RegExp[]) {
  const { before, error } = await refused(h, act, status, code, words);
  assert.deepEqual(await snapshot(h), before, 'a refused call must not change the ledger or the audit log');
  return error;
}

/**
 * Like expectRefused for a run or export of a grant: the ledger is unchanged and the attempt
 * is in the audit log as one `denied` entry naming the grant.
 */
export async function expectDeniedUse(h: Harness, act: Call, status: number, code: string, ...words: RegExp[]) {
  const { before, error } = await refused(h, act, status, code, words);
  const after = await snapshot(h);
  assert.deepEqual({ ...after, auditLines: before.auditLines }, before, 'a refused run must not change the ledger');
  assert.equal(after.auditLines, before.auditLines + 1, 'a refused run is audited once');
  const entry = h.auditLines().at(-1);
  assert.equal(entry.outcome, 'denied');
  assert.match(entry.action, /^grant\.(run|export)$/);
  assert.equal(entry.detail.code, code);
  return error;
}
