import { resolve } from 'node:path';
import type { InstanceConfig } from '../config/schema.js';
import type { Engine } from './engine.js';
import type { IdentitySecrets } from './identity-secrets.js';
import { createMysqlEngine } from './mysql.js';
import { createPostgresEngine } from './postgres.js';
import { createSqliteEngine } from './sqlite.js';

/** One engine per configured instance, by instance id. A SQLite folder is relative to `configDir`. */
export function createEngines(instances: InstanceConfig[], configDir: string, secrets: IdentitySecrets): Map<string, Engine> {
  return new Map(
    instances.map((instance): [string, Engine] => {
      switch (instance.engine) {
        case 'sqlite':
          return [instance.id, createSqliteEngine({ dir: resolve(configDir, instance.path) })];
        case 'postgres':
          return [instance.id, createPostgresEngine({ url: instance.url, instanceId: instance.id, secrets })];
        case 'mysql':
          return [instance.id, createMysqlEngine({ url: instance.url, instanceId: instance.id, secrets })];
      }
    }),
  );
}
