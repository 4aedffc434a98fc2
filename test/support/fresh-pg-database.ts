// A database of its own for a test file on the PostgreSQL of test/setup/db-servers.sh, dropped
// (with whatever is still connected to it) when the file is done.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface FreshDatabase {
  /** A URL of the database for the service's account (the admin here). */
  url: string;
  /** Runs SQL as the admin in this database (to look at locks and kill connections). */
  admin: pg.Pool;
  drop(): Promise<void>;
}

export async function freshPgDatabase(label: string): Promise<FreshDatabase> {
  const base = process.env.JIT_TEST_PG_ADMIN_URL;
  assert.ok(base, 'JIT_TEST_PG_ADMIN_URL is set by test/setup/db-servers.sh (run this suite through it)');
  const name = `jit_${label}_${randomBytes(4).toString('hex')}`;
  const server = new pg.Client({ connectionString: `${base}/postgres` });
  await server.connect();
  try {
    await server.query(`CREATE DATABASE ${name}`);
  } finally {
    await server.end();
  }
  const url = `${base}/${name}`;
  const admin = new pg.Pool({ connectionString: url, max: 2 });
  return {
    url,
    admin,
    async drop() {
      await admin.end();
      const c = new pg.Client({ connectionString: `${base}/postgres` });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** Waits until cond holds, checking every stepMs; fails naming `what` after timeoutMs. */
export async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 20_000, stepMs = 20): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
