// The people and data of the VS Code suites' test service, and a small client of its HTTP
// API (CONTRACT.md) used to seed grants and check the audit as those people.
// Dependency-free: the extension-host tests bundle it too.

/** Tokens of the test config's users (test/vscode/kit/service.ts writes them into it). */
export const USERS = {
  alice: { name: 'Alice', token: 'alice-test-token', workspaceRole: 'workspaceMember', projectRoles: ['projectDeveloper'] },
  bob: { name: 'Bob', token: 'bob-test-token', workspaceRole: 'workspaceMember', projectRoles: ['projectOwner'] },
  dana: { name: 'Dana', token: 'dana-test-token', workspaceRole: 'workspaceDBA', projectRoles: [] },
  admin: { name: 'Ada Admin', token: 'admin-test-token', workspaceRole: 'workspaceAdmin', projectRoles: [] },
} as const;
export type UserId = keyof typeof USERS;

export const PROJECT = 'shop';
/** Two SQLite databases with the same `employees` table, its `email` column masked. */
export const DATABASES = ['demo/hr_us', 'demo/hr_eu'] as const;
export const STATEMENT = 'SELECT id, name, email FROM employees ORDER BY id';

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(`${status} ${code}: ${message}`);
  }
}

export interface Grant {
  id: string;
  requestId: string;
  databases: string[];
  statement: string;
  export: boolean;
  unmask: boolean;
  state: string;
  expireTime?: string;
}

export interface Request {
  id: string;
  status: string;
  currentStep: number;
  steps: unknown[];
}

export interface AuditEntry {
  action: string;
  grantId?: string;
  requestId?: string;
}

export function client(baseUrl: string, user: UserId) {
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${baseUrl}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${USERS[user].token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const json = text ? JSON.parse(text) : undefined;
    if (!res.ok) throw new ApiError(res.status, json?.error?.code ?? '?', json?.error?.message ?? text);
    return json as T;
  }
  return {
    get: <T>(path: string) => call<T>('GET', path),
    post: <T>(path: string, body: unknown = {}) => call<T>('POST', path, body),
  };
}

export interface AccessRequestInput {
  databases?: string[];
  statement?: string;
  export?: boolean;
  unmask?: boolean;
  duration?: string;
  reason?: string;
}

/** `user` asks for access to `STATEMENT` on both databases (overridable); returns the pending grant. */
export async function requestAccess(baseUrl: string, user: UserId, input: AccessRequestInput = {}) {
  return client(baseUrl, user).post<{ request: Request; grant: Grant }>(`/projects/${PROJECT}/access-requests`, {
    databases: [...DATABASES],
    statement: STATEMENT,
    duration: '1h',
    reason: 'Investigating a payroll ticket',
    ...input,
  });
}

/**
 * Approves the open steps of `requestId` in order, one step per approver (by default bob, the
 * project owner, then dana, the DBA), until the request is decided.
 */
export async function approveAll(baseUrl: string, requestId: string, approvers: UserId[] = ['bob', 'dana']): Promise<Request> {
  for (const user of approvers) {
    const req = await client(baseUrl, user).get<Request>(`/requests/${requestId}`);
    if (req.status !== 'OPEN') return req;
    await client(baseUrl, user).post(`/requests/${requestId}/approve`, { comment: 'ok' });
  }
  return client(baseUrl, approvers[0]).get<Request>(`/requests/${requestId}`);
}

/** `user` asks for a time-boxed `role` in the project (sqlEditorUser on the first database by default). */
export async function requestRole(baseUrl: string, user: UserId, input: { role?: string; databases?: string[]; duration?: string } = {}) {
  return client(baseUrl, user).post<{ request: Request }>(`/projects/${PROJECT}/role-requests`, {
    role: 'sqlEditorUser',
    databases: [DATABASES[0]],
    duration: '1h',
    reason: 'Answering a payroll question',
    ...input,
  });
}
