// The PostgreSQL store's connection pool and its one way to run a transaction.
import pg from 'pg';

export type Pool = pg.Pool;
export type Client = pg.PoolClient;

/**
 * Advisory lock keys of the store, one per duty, in one place so that no two duties ever share
 * a key by accident ('JIT' and a number).
 */
export const ADVISORY_LOCKS = { migrations: 0x4a495401, writes: 0x4a495402, timerDuty: 0x4a495403 } as const;

const INT8 = 20;
// Times, seqs and versions are bigint columns; every value the service writes fits a JS number.
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8 && format !== 'binary' ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export function openPool(url: string, log: (line: string) => void): Pool {
  const pool = new pg.Pool({ connectionString: url, types, max: 10 });
  // An idle connection dropped by the server: the pool replaces it, the next query reports any lasting problem.
  pool.on('error', (err) => log(`store: an idle PostgreSQL connection failed: ${err.message}`));
  return pool;
}

/** Runs fn in a transaction on one connection of the pool; a throw rolls back. */
export async function inTransaction<T>(pool: Pool, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    // A connection that cannot even roll back is discarded rather than handed to the next caller.
    await client.query('ROLLBACK').catch((e: Error) => (broken = e));
    throw err;
  } finally {
    client.release(broken);
  }
}

/** `?` placeholders numbered as PostgreSQL wants them ($1, $2, …), so queries read like the SQLite ones. */
export const numbered = (sql: string) => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};

/** The URL without its password, for messages. */
export function redacted(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'the store URL';
  }
}
