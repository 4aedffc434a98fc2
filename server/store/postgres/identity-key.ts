// The key the provisioned identities' passwords derive from (engines/identity-secrets.ts), kept
// in the store so that every replica logs in with the same passwords.
import { randomBytes } from 'node:crypto';
import type { Pool } from './pool.js';

/** The store's key, made by whichever replica asks first. */
export async function storeIdentityKey(pool: Pool): Promise<Buffer> {
  await pool.query('INSERT INTO identity_key (id, key) VALUES (1, $1) ON CONFLICT (id) DO NOTHING', [randomBytes(32)]);
  const { rows } = await pool.query<{ key: Buffer }>('SELECT key FROM identity_key WHERE id = 1');
  return rows[0].key;
}
