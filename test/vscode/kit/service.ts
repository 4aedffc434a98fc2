// A real jit-server for the VS Code suites: built service (dist/server/cli.js, `npm run build`),
// a fresh temporary data dir, a test config with the users of ./api.ts and two small SQLite
// databases, `--port 0`. No mock: the extension and the tests talk to the product.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { DATABASES, PROJECT, USERS } from './api.js';
import { spawnGroup } from './process.js';
import { waitFor } from './wait.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');

export const EMPLOYEES = [
  [1, 'Ann Archer', 'ann.archer@example.com'],
  [2, 'Ben Brooks', 'ben.brooks@example.com'],
  [3, 'Cleo Chen', 'cleo.chen@example.com'],
] as const;

export interface Service {
  url: string;
  dir: string;
  /** `<dir>/data/audit.jsonl`: what the service appended to its audit log. */
  auditFile: string;
  stop(): Promise<void>;
}

export interface ServiceOptions {
  /** Workspace settings over the defaults below. */
  workspace?: Record<string, unknown>;
  /** More tables in every database, after `employees` (the grid benchmark's large result). */
  seed?: (db: Database.Database) => void;
}

export async function startService(o: ServiceOptions = {}): Promise<Service> {
  const cli = path.join(ROOT, 'dist/server/cli.js');
  if (!fs.existsSync(cli)) throw new Error(`${cli} missing: run "npm run build" first`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jit-service-'));
  fs.mkdirSync(path.join(dir, 'demo-data'));
  for (const ref of DATABASES) seedDatabase(path.join(dir, 'demo-data', `${ref.split('/')[1]}.sqlite`), o.seed);
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(testConfig(o), null, 2));
  const dataDir = path.join(dir, 'data');
  const group = spawnGroup(process.execPath, [cli, '--config', path.join(dir, 'config.json'), '--data-dir', dataDir, '--port', '0'], {
    cwd: dir,
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  });
  const stop = group.stop;
  try {
    const url = await waitFor(() => {
      if (group.exited()) throw new Error('jit-server exited');
      for (const line of group.output().split('\n')) {
        if (line.includes('"listening"')) return (JSON.parse(line) as { url: string }).url;
      }
      return undefined;
    }, { timeoutMs: 30_000, what: 'jit-server to listen' });
    return { url, dir, auditFile: path.join(dataDir, 'audit.jsonl'), stop };
  } catch (err) {
    const output = group.output();
    await stop();
    throw new Error(`${(err as Error).message}\n${output}`);
  }
}

function testConfig(o: ServiceOptions) {
  return {
    workspace: {
      // Export only through JIT grants: what the scenario exercises.
      enableDataExport: false,
      // Grants short enough to watch them expire within a test.
      minGrantDuration: '1s',
      maxGrantDuration: '1d',
      ...o.workspace,
    },
    users: Object.entries(USERS).map(([id, u]) => ({
      id, name: u.name, email: `${id}@example.com`, token: u.token, workspaceRole: u.workspaceRole,
    })),
    instances: [{ id: 'demo', engine: 'sqlite', path: 'demo-data' }],
    projects: [{
      id: PROJECT,
      name: 'Shop',
      settings: { allowRequestRole: true, jitAccess: true },
      members: Object.entries(USERS).filter(([, u]) => u.projectRoles.length).map(([id, u]) => ({ user: id, roles: u.projectRoles })),
      databases: DATABASES.map((name) => ({ name, environment: 'prod' })),
    }],
    masking: DATABASES.map((database) => ({ database, table: 'employees', column: 'email', algorithm: 'partial' })),
    approvalRules: {
      REQUEST_ACCESS: [
        { title: 'Unmask needs the owner then a DBA', condition: 'request.unmask == true', steps: [['projectOwner'], ['workspaceDBA']] },
        { title: 'The owner approves', condition: 'true', steps: [['projectOwner']] },
      ],
      REQUEST_ROLE: [{ title: 'The owner approves', condition: 'true', steps: [['projectOwner']] }],
    },
  };
}

function seedDatabase(file: string, seed?: (db: Database.Database) => void): void {
  const db = new Database(file);
  db.exec('CREATE TABLE employees (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO employees (id, name, email) VALUES (?, ?, ?)');
  for (const row of EMPLOYEES) insert.run(...row);
  seed?.(db);
  db.close();
}
