// What the CLI's commands read from a store without starting a service on it: nothing is
// migrated or written, and a store no service has started on is an error, not an empty chain.
import { ConfigError } from '../../config/load.js';
import type { VerifyResult } from '../../audit/verify.js';
import { stateSchema, type State } from '../config-store.js';
import { verifyPgAuditChain } from './audit-log.js';
import { openPool, redacted, type Pool } from './pool.js';

async function withStore<T>(url: string, fn: (pool: Pool) => Promise<T>): Promise<T> {
  const pool = openPool(url, () => undefined);
  try {
    const { rows } = await pool.query<{ present: boolean }>("SELECT to_regclass('schema_migrations') IS NOT NULL AS present").catch((err: Error) => {
      throw new ConfigError(`cannot read the store ${redacted(url)}: ${err.message}; check --store`);
    });
    if (!rows[0].present) throw new ConfigError(`no service has started on the store ${redacted(url)} (it has no schema); check --store`);
    return await fn(pool);
  } finally {
    await pool.end();
  }
}

/** `jit-server audit verify --store URL`. */
export const verifyStoreChain = (url: string): Promise<VerifyResult> => withStore(url, verifyPgAuditChain);

/** The configuration state and identity key a service on the store uses, for `jit-server provision --store URL`. */
export const readStoreState = (url: string): Promise<{ state: State; identityKey: Buffer }> =>
  withStore(url, async (pool) => {
    const state = await pool.query<{ doc: string }>('SELECT doc FROM config_state WHERE id = 1');
    const key = await pool.query<{ key: Buffer }>('SELECT key FROM identity_key WHERE id = 1');
    if (!state.rows.length || !key.rows.length) throw new ConfigError(`the store ${redacted(url)} holds no service state yet; start the service on it once first`);
    return { state: stateSchema.parse(JSON.parse(state.rows[0].doc)), identityKey: key.rows[0].key };
  });
