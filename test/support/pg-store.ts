// A fresh, empty PostgreSQL database for a test file's store, on the server of
// test/setup/db-servers.sh (JIT_TEST_PG_ADMIN_URL), dropped again at the end.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function scratchDatabase(): Promise<ScratchDatabase> {
  const admin = process.env.JIT_TEST_PG_ADMIN_URL;
  if (!admin) throw new Error('JIT_TEST_PG_ADMIN_URL is not set; run the test under test/setup/db-servers.sh');
  const name = `jit_store_${randomBytes(6).toString('hex')}`;
  const run = async (sql: string) => {
    const client = new pg.Client({ connectionString: `${admin}/postgres` });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await run(`CREATE DATABASE ${name}`);
  return {
    url: `${admin}/${name}`,
    drop: () => run(`DROP DATABASE ${name} WITH (FORCE)`),
  };
}

/**
 * The audit entries in the store, oldest first. Synchronous through psql, because the
 * harness's auditLines() is, for the file log, and the API tests call it that way.
 */
export function storeAuditLines(url: string): unknown[] {
  const out = execFileSync('psql', [url, '-AtXq', '-c', 'SELECT line FROM audit_entries ORDER BY seq'], { encoding: 'utf8' });
  return out.split('\n').filter(Boolean).map((l) => JSON.parse(l));
}
