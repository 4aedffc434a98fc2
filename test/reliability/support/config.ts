// Configs for the reliability suite: the demo's shape with tokens of our own (registered as
// secrets), a second project "ops" with its own owner and member, and short durations.
import { randomBytes } from 'node:crypto';
import type { Config } from '../../../server/config/schema.js';
import { demoConfig, DEMO_TOKENS } from '../../../server/demo/demo-config.js';
import { addSecret } from './outputs.js';

export const OPS_TOKENS = { olga: 'olga-reliability-token', oscar: 'oscar-reliability-token' } as const;
for (const [user, token] of Object.entries({ ...DEMO_TOKENS, ...OPS_TOKENS })) addSecret(token, `token of ${user}`);

/** A password inside an instance URL that must never be shown. */
export const PG_PASSWORD = 'pw-Rel1ab1l1ty-s3cret';
addSecret(PG_PASSWORD, 'postgres password in an instance URL');

/** Adds project "ops" (database demo/inventory) with olga (developer) and oscar (owner). */
export function addOpsProject(c: Config): void {
  c.users.push(
    { id: 'olga', name: 'Olga Ops', email: 'olga@example.com', token: OPS_TOKENS.olga, workspaceRole: 'workspaceMember' },
    { id: 'oscar', name: 'Oscar Owner', email: 'oscar@example.com', token: OPS_TOKENS.oscar, workspaceRole: 'workspaceMember' },
  );
  c.projects.push({
    id: 'ops', name: 'Ops', settings: { allowRequestRole: true, jitAccess: true },
    members: [{ user: 'olga', roles: ['projectDeveloper'] }, { user: 'oscar', roles: ['projectOwner'] }],
    databases: [{ name: 'demo/sales', environment: 'prod' }],
  });
}

/** The demo config with minGrantDuration 1s and the ops project. */
export function reliabilityConfig(edit?: (c: Config) => void): Config {
  const c = demoConfig();
  c.workspace.minGrantDuration = '1s';
  addOpsProject(c);
  edit?.(c);
  return c;
}

/** For child processes: also a postgres instance (unused, unreachable) whose URL has a password. */
export function withPostgresInstance(c: Config): void {
  c.instances.push({ id: 'pg', engine: 'postgres', url: `postgres://reader:${PG_PASSWORD}@127.0.0.1:9/none` });
}

/** The same config with fresh random tokens (for child processes), each registered as a secret. */
export function withFreshTokens(c: Config): { config: Config; tokens: Record<string, string> } {
  const tokens: Record<string, string> = {};
  for (const u of c.users) {
    u.token = `${u.id}-${randomBytes(12).toString('hex')}`;
    tokens[u.id] = u.token;
    addSecret(u.token, `token of ${u.id} (child)`);
  }
  return { config: c, tokens };
}
