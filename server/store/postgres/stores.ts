// The stores in one PostgreSQL database (--store URL): migrated at start, then shared by every
// replica that opens the same URL.
import { identitySecrets } from '../../engines/identity-secrets.js';
import type { State } from '../config-store.js';
import type { Stores } from '../stores.js';
import { openPgAuditLog } from './audit-log.js';
import { openPgConfigStore } from './config-store.js';
import { storeIdentityKey } from './identity-key.js';
import { openPgLedger } from './ledger.js';
import { migrate } from './migrations.js';
import { openPool, redacted } from './pool.js';

export class StoreError extends Error {}

export async function openPostgresStores(url: string, seed: () => State, log: (line: string) => void): Promise<Stores> {
  const pool = openPool(url, log);
  try {
    const applied = await migrate(pool);
    if (applied.length) log(`store: applied schema migrations ${applied.join(', ')} to ${redacted(url)}`);
    const config = await openPgConfigStore(pool, seed);
    const secrets = identitySecrets(await storeIdentityKey(pool));
    const ledger = openPgLedger(pool);
    const audit = openPgAuditLog(pool);
    return {
      config,
      ledger,
      audit,
      secrets,
      async close() {
        await audit.close();
        await ledger.close();
        await pool.end();
      },
    };
  } catch (err) {
    await pool.end();
    throw new StoreError(`cannot open the store ${redacted(url)}: ${(err as Error).message}`, { cause: err });
  }
}
