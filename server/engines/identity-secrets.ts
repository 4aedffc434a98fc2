// Passwords of the least-privilege login identities the service provisions on database
// servers. Each is derived from one random key kept in the data dir (mode 0600), or in the
// PostgreSQL store that replicas share, so there is no per-identity state to keep in sync, and
// the script printed for a DBA carries the same passwords the service will log in with.
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface IdentitySecrets {
  /** The password of `identity` on instance `instance`: stable for one data dir. */
  password(instance: string, identity: string): string;
}

const KEY_FILE = 'identity.key';

export function openIdentitySecrets(dataDir: string): IdentitySecrets {
  const file = join(dataDir, KEY_FILE);
  let key: Buffer;
  try {
    key = readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    // "wx": two services racing on a new data dir must not end up with different keys.
    try {
      writeFileSync(file, randomBytes(32), { mode: 0o600, flag: 'wx' });
    } catch (race) {
      if ((race as NodeJS.ErrnoException).code !== 'EEXIST') throw race;
    }
    key = readFileSync(file);
  }
  return identitySecrets(key);
}

/** The passwords derived from `key`: every replica of a service given the same key uses the same ones. */
export function identitySecrets(key: Buffer): IdentitySecrets {
  return {
    password: (instance, identity) => createHmac('sha256', key).update(`${instance}\0${identity}`).digest('base64url'),
  };
}
