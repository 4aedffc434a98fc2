// The run-overhead target for PostgreSQL; the raw driver is `pg` in-process. Needs a server:
// run the benchmark under test/setup/db-servers.sh, which starts one on loopback and exports
// JIT_TEST_PG_ADMIN_URL (to create the data), JIT_TEST_PG_URL (the read-only role, for the raw
// driver) and JIT_TEST_PG_OWNER_URL (the database owner with CREATEROLE, which the service is
// given: it provisions the least-privilege identities statements run as).
import pg from 'pg';
import { openIdentitySecrets } from '../../server/engines/identity-secrets.js';
import { createPostgresEngine } from '../../server/engines/postgres.js';
import { mkdirSync } from 'node:fs';
import { INSTANCE, makeFixture } from '../lib/fixture.js';
import { LARGE_ROWS, runOverheadSuite } from './run-overhead.js';

const DATABASE = 'jit_bench';

/** The same 10-column `wide` table as the SQLite fixture, generated server-side, in `database`. */
export async function createWideDatabase(adminUrl: string, rows: number, database = DATABASE): Promise<void> {
  const admin = new pg.Client({ connectionString: `${adminUrl}/postgres` });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${database}`);
  await admin.query(`CREATE DATABASE ${database} OWNER jit_owner`);
  await admin.end();
  const db = new pg.Client({ connectionString: `${adminUrl}/${database}` });
  await db.connect();
  await db.query(`CREATE TABLE wide (id integer PRIMARY KEY, customer text, email text, city text, amount double precision,
    quantity integer, status text, note text, created text, score double precision)`);
  await db.query(
    `INSERT INTO wide SELECT i, 'Customer ' || i, 'customer' || i || '@example.com',
       (ARRAY['Lisbon','Oslo','Lagos','Osaka','Lima','Quito','Perth','Turin'])[i % 8 + 1], (i * 7.31)::numeric % 1000,
       i % 97, CASE WHEN i % 5 = 0 THEN 'pending' ELSE 'shipped' END, 'order note number ' || i,
       '2026-01-' || lpad(((i % 28) + 1)::text, 2, '0'), (i % 1000) / 10.0
     FROM generate_series(1, $1) AS i`,
    [rows],
  );
  await db.query('GRANT SELECT ON wide TO jit_reader');
  await db.query('ALTER TABLE wide OWNER TO jit_owner');
  await db.end();
}

const adminUrl = process.env.JIT_TEST_PG_ADMIN_URL;
const readerUrl = process.env.JIT_TEST_PG_URL;
const ownerUrl = process.env.JIT_TEST_PG_OWNER_URL;

export const runOverheadPostgres = runOverheadSuite({
  engine: 'PostgreSQL',
  database: DATABASE,
  engineWork:
    'the function allowlist, a provisioning check (one catalog query as the service\'s account), BEGIN READ ONLY, SET LOCAL statement_timeout, ' +
    'a pg-cursor read in 1,000-row fetches as the least-privilege identity, ROLLBACK and DISCARD ALL — several round trips to the server where the raw driver makes one',
  unavailable:
    adminUrl && readerUrl
      ? undefined
      : 'no PostgreSQL server: run `test/setup/db-servers.sh npm run bench`, which starts one and sets JIT_TEST_PG_ADMIN_URL and JIT_TEST_PG_URL',
  async setup() {
    await createWideDatabase(adminUrl!, LARGE_ROWS);
    const fixture = makeFixture('run-overhead-postgres', { [DATABASE]: LARGE_ROWS }, { engine: 'postgres', url: ownerUrl! });
    const client = new pg.Client({ connectionString: `${readerUrl}/${DATABASE}` });
    await client.connect();
    return {
      fixture,
      // The thinnest path: one open connection, one simple query, rows as arrays.
      raw: async (sql) => (await client.query({ text: sql, rowMode: 'array' })).rows as unknown[][],
      // As the service runs it: identities provisioned by the owner account (a run provisions first).
      // The same instance id and key as the service's, so both find the database provisioned alike.
      engine: createPostgresEngine({ url: ownerUrl!, instanceId: INSTANCE, secrets: openIdentitySecrets(mkdirSync(fixture.dataDir, { recursive: true }) ?? fixture.dataDir) }),
      close: () => client.end(),
    };
  },
});
