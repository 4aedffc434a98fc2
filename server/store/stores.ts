// Everything the service keeps, behind the store's interfaces: embedded in the data dir (the
// default), or in PostgreSQL, shared by replicas (--store).
import { join } from 'node:path';
import { openAuditLog, type AuditLog, type AuditLogOptions } from '../audit/audit-log.js';
import { openIdentitySecrets, type IdentitySecrets } from '../engines/identity-secrets.js';
import { openConfigStore, type ConfigStore, type State } from './config-store.js';
import type { Ledger } from './ledger.js';
import { openSqliteLedger } from './sqlite-ledger.js';

export interface Stores {
  config: ConfigStore;
  ledger: Ledger;
  audit: AuditLog;
  secrets: IdentitySecrets;
  close(): Promise<void>;
}

/** state.json, ledger.sqlite, audit.jsonl and identity.key in the data dir. */
export async function openEmbeddedStores(
  dataDir: string,
  seed: () => State,
  now: () => number,
  log: (line: string) => void,
  auditOptions: AuditLogOptions,
): Promise<Stores> {
  const config = await openConfigStore(join(dataDir, 'state.json'), seed);
  const ledger = openSqliteLedger(join(dataDir, 'ledger.sqlite'));
  const audit = await openAuditLog(join(dataDir, 'audit.jsonl'), now, log, auditOptions).catch(async (err) => {
    await ledger.close();
    throw err;
  });
  return {
    config,
    ledger,
    audit,
    secrets: openIdentitySecrets(dataDir),
    async close() {
      await audit.close();
      await ledger.close();
    },
  };
}
