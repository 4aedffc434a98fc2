// The built-in demo (npm start with no --config): an embedded SQLite instance with an HR
// database whose personal columns are masked and a sales database, four users and rules
// that send unmask/export to the owner and then a DBA. Demo tokens are fixed so the README
// can name them; the service binds to 127.0.0.1.
import type { Config } from '../config/schema.js';
import { parseConfig } from '../config/load.js';

export const DEMO_TOKENS = {
  alice: 'alice-demo-token',
  bob: 'bob-demo-token',
  dana: 'dana-demo-token',
  admin: 'admin-demo-token',
} as const;

export function demoConfig(): Config {
  return parseConfig(
    {
      workspace: { minGrantDuration: '1m', maxGrantDuration: '7d', pendingRequestTtl: '24h', reminderBefore: '15m' },
      users: [
        { id: 'alice', name: 'Alice Developer', email: 'alice@example.com', token: DEMO_TOKENS.alice, workspaceRole: 'workspaceMember' },
        { id: 'bob', name: 'Bob Owner', email: 'bob@example.com', token: DEMO_TOKENS.bob, workspaceRole: 'workspaceMember' },
        { id: 'dana', name: 'Dana DBA', email: 'dana@example.com', token: DEMO_TOKENS.dana, workspaceRole: 'workspaceDBA' },
        { id: 'admin', name: 'Ada Admin', email: 'admin@example.com', token: DEMO_TOKENS.admin, workspaceRole: 'workspaceAdmin' },
      ],
      instances: [{ id: 'demo', engine: 'sqlite', path: 'demo-data' }],
      projects: [
        {
          id: 'shop',
          name: 'Shop',
          settings: { allowRequestRole: true, jitAccess: true },
          members: [
            { user: 'alice', roles: ['projectDeveloper'] },
            { user: 'bob', roles: ['projectOwner'] },
          ],
          databases: [
            { name: 'demo/hr', environment: 'prod' },
            { name: 'demo/sales', environment: 'prod' },
          ],
        },
      ],
      masking: [
        { database: 'demo/hr', table: 'employees', column: 'email', algorithm: 'partial' },
        { database: 'demo/hr', table: 'employees', column: 'phone', algorithm: 'partial' },
        { database: 'demo/hr', table: 'employees', column: 'salary', algorithm: 'full' },
        { database: 'demo/hr', table: 'employees', column: 'ssn', algorithm: 'md5' },
      ],
      approvalRules: {
        REQUEST_ACCESS: [
          { title: 'Unmask or export needs the owner, then a DBA', condition: 'request.unmask || request.data_export', steps: [['projectOwner'], ['workspaceDBA']] },
          { title: 'Reads in prod need the project owner', condition: 'resource.environment_id == "prod"', steps: [['projectOwner']] },
        ],
        REQUEST_ROLE: [{ title: 'Any role needs the owner, then a DBA', condition: 'true', steps: [['projectOwner'], ['workspaceDBA']] }],
      },
    },
    'demo',
  );
}
