// A benchmark workspace: its own config, data dir and SQLite instance folder under the
// git-ignored bench/results/tmp/, removed again when the suite is done.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

export const TMP_ROOT = fileURLToPath(new URL('../results/tmp/', import.meta.url));

export const TOKENS = { alice: 'alice-bench-token', bob: 'bob-bench-token', admin: 'admin-bench-token' } as const;
export const PROJECT = 'bench';
export const INSTANCE = 'bench';
export const COLUMNS = 10;

export interface Fixture {
  dir: string;
  configFile: string;
  dataDir: string;
  /** The SQLite instance folder: NAME.sqlite per database. */
  dbDir: string;
  dbFile(name: string): string;
  remove(): void;
}

/** Where the fixture's databases live: SQLite files it creates, or a PostgreSQL server. */
export type Instance = { engine: 'sqlite' } | { engine: 'postgres'; url: string };

function config(instance: Record<string, unknown>, databases: string[]) {
  return {
    workspace: {
      minGrantDuration: '1m',
      maxGrantDuration: '7d',
      queryTimeout: '120s',
      maxResultRows: 10_000,
      maxExportRows: 1_000_000,
      // Suites measure throughput with many clients on one token; the fairness suite sets the
      // per-user share back itself.
      maxRunningPerUser: 1000,
    },
    users: [
      { id: 'alice', name: 'Alice', email: 'alice@example.com', token: TOKENS.alice, workspaceRole: 'workspaceMember' },
      { id: 'bob', name: 'Bob', email: 'bob@example.com', token: TOKENS.bob, workspaceRole: 'workspaceMember' },
      { id: 'admin', name: 'Admin', email: 'admin@example.com', token: TOKENS.admin, workspaceRole: 'workspaceAdmin' },
    ],
    instances: [{ id: INSTANCE, ...instance }],
    projects: [
      {
        id: PROJECT,
        name: 'Benchmark',
        members: [
          { user: 'alice', roles: ['projectDeveloper', 'projectExporter'] },
          { user: 'bob', roles: ['projectOwner'] },
        ],
        databases: databases.map((name) => ({ name: `${INSTANCE}/${name}`, environment: 'prod' })),
      },
    ],
    approvalRules: {
      REQUEST_ACCESS: [{ title: 'The owner approves every read', condition: 'true', steps: [['projectOwner']] }],
      REQUEST_ROLE: [],
    },
  };
}

/** Fills NAME.sqlite with `rows` rows of the 10-column table `wide` (ints, reals, text). */
export function createWideTable(file: string, rows: number): void {
  const db = new Database(file);
  db.pragma('journal_mode = OFF');
  db.exec(`CREATE TABLE wide (id INTEGER PRIMARY KEY, customer TEXT, email TEXT, city TEXT, amount REAL,
    quantity INTEGER, status TEXT, note TEXT, created TEXT, score REAL)`);
  const insert = db.prepare('INSERT INTO wide VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const cities = ['Lisbon', 'Oslo', 'Lagos', 'Osaka', 'Lima', 'Quito', 'Perth', 'Turin'];
  db.transaction(() => {
    for (let i = 1; i <= rows; i++) {
      insert.run(i, `Customer ${i}`, `customer${i}@example.com`, cities[i % cities.length], (i * 7.31) % 1000,
        i % 97, i % 5 ? 'shipped' : 'pending', `order note number ${i}`, `2026-01-${String((i % 28) + 1).padStart(2, '0')}`, (i % 1000) / 10);
    }
  })();
  db.close();
}

/**
 * A fresh workspace named `name`; `tables` maps database names to the rows of their `wide`
 * table, created here for SQLite (a PostgreSQL caller creates its databases itself).
 */
export function makeFixture(name: string, tables: Record<string, number>, instance: Instance = { engine: 'sqlite' }): Fixture {
  const dir = join(TMP_ROOT, name);
  rmSync(dir, { recursive: true, force: true });
  const dbDir = join(dir, 'instance');
  mkdirSync(dbDir, { recursive: true });
  const dbFile = (db: string) => join(dbDir, `${db}.sqlite`);
  if (instance.engine === 'sqlite') for (const [db, rows] of Object.entries(tables)) createWideTable(dbFile(db), rows);
  const configFile = join(dir, 'config.json');
  const where = instance.engine === 'sqlite' ? { engine: 'sqlite', path: dbDir } : instance;
  writeFileSync(configFile, JSON.stringify(config(where, Object.keys(tables)), null, 2));
  return {
    dir,
    configFile,
    dataDir: join(dir, 'data'),
    dbDir,
    dbFile,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
