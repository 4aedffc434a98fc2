// Builders for the service's objects, with defaults a test overrides where it matters.
import type { AccessRequest, ApprovalStep, Grant, Me, Project } from '../../../extension/core/api-types.js';

export const NOW = Date.parse('2026-01-01T12:00:00Z');

export function minutesFromNow(minutes: number): string {
  return new Date(NOW + minutes * 60_000).toISOString();
}

export function grant(overrides: Partial<Grant> = {}): Grant {
  return {
    id: 'a1b2c3d4-0000-0000-0000-000000000001',
    project: 'shop',
    requester: 'alice',
    requestId: 'r9f8e7d6-0000-0000-0000-000000000001',
    databases: ['demo/hr'],
    statement: 'SELECT id, email FROM employees',
    export: false,
    unmask: false,
    reason: 'incident 42',
    duration: '1h',
    state: 'ACTIVE',
    createTime: minutesFromNow(-40),
    activateTime: minutesFromNow(-37),
    expireTime: minutesFromNow(23),
    revokeTime: undefined,
    revokedBy: undefined,
    ...overrides,
  };
}

export function accessRequest(overrides: Partial<AccessRequest> = {}): AccessRequest {
  return {
    id: '17',
    type: 'ACCESS_GRANT',
    project: 'shop',
    creator: 'alice',
    status: 'OPEN',
    payload: { databases: ['demo/hr'], statement: 'SELECT email FROM employees', export: true, unmask: true, duration: '2h', reason: 'audit', tables: ['employees'] },
    grantId: 'g-17',
    bindingId: undefined,
    rule: { title: 'Unmask needs the owner then a DBA', source: 'REQUEST_ACCESS', index: 0 },
    steps: [step(['projectOwner']), step(['workspaceDBA'])],
    currentStep: 0,
    createTime: minutesFromNow(-5),
    expireTime: minutesFromNow(60 * 24),
    decideTime: undefined,
    context: { databases: [], rule: { title: 'Unmask needs the owner then a DBA', source: 'REQUEST_ACCESS' }, tablesRead: [], revealsMaskedColumns: [] },
    ...overrides,
  };
}

export function step(roles: ApprovalStep['roles'], decided: Partial<ApprovalStep> = {}): ApprovalStep {
  return { roles, approver: undefined, decision: undefined, comment: undefined, time: undefined, ...decided };
}

/** Who the caller is: `roles` by project id. */
export function me(roles: Record<string, Me['projects'][number]['roles']>, workspaceRole: Me['workspaceRole'] = 'workspaceMember'): Me {
  return {
    user: { id: 'alice', name: 'Alice', email: 'alice@example.com' },
    workspaceRole,
    projects: Object.entries(roles).map(([id, held]) => ({ id, name: id, roles: held })),
  };
}

export function project(id: string, databases: string[] = []): Project {
  return {
    id,
    name: id[0].toUpperCase() + id.slice(1),
    settings: { allowRequestRole: true, jitAccess: true },
    databases: databases.map((name) => ({ name, environment: 'test', engine: 'sqlite' })),
    maskedColumns: [],
  };
}
