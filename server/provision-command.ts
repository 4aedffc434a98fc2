// `jit-server provision --instance ID [--config FILE] [--data-dir DIR]`: prints the SQL that
// provisions an instance's least-privilege identities, masking views and privileges, for a
// DBA to run where the service's own account may not (engine-generic: the engine writes the
// SQL). The masking rules come from the service's state in the data dir when it has one (they
// may have changed since the config file was written), else from the config file; the
// identities' passwords from the data dir's key, so the service logs in with what the script set.
// With --store both come from the service's PostgreSQL store instead.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Config, MaskingRule } from './config/schema.js';
import { ConfigError, loadConfigFile } from './config/load.js';
import { identitySecrets, openIdentitySecrets, type IdentitySecrets } from './engines/identity-secrets.js';
import { createEngines } from './engines/registry.js';
import { readStoreState } from './store/postgres/commands.js';

type Sources = Pick<Config, 'instances' | 'projects' | 'masking'>;

export interface ProvisionArgs {
  instance?: string;
  config?: string;
  dataDir: string;
  /** The service's PostgreSQL store: its state and identity key are read there instead of in the data dir. */
  store?: string;
}

/** `secrets` is called only once the instance is known to exist: it may make the data dir's key. */
async function readSources(args: ProvisionArgs): Promise<{ sources: Sources; baseDir: string; secrets: () => IdentitySecrets }> {
  if (args.store) {
    const { state, identityKey } = await readStoreState(args.store);
    return { sources: state, baseDir: args.dataDir, secrets: () => identitySecrets(identityKey) };
  }
  const secrets = () => {
    mkdirSync(args.dataDir, { recursive: true });
    return openIdentitySecrets(args.dataDir);
  };
  const stateFile = join(args.dataDir, 'state.json');
  if (existsSync(stateFile)) return { sources: JSON.parse(readFileSync(stateFile, 'utf8')) as Sources, baseDir: args.dataDir, secrets };
  if (!args.config) throw new ConfigError(`no service state in ${args.dataDir}: give the config file with --config FILE`);
  const file = resolve(args.config);
  return { sources: await loadConfigFile(file), baseDir: dirname(file), secrets };
}

/** The databases of one instance (named by projects or masking rules) with their masking rules. */
export function instanceDatabases(sources: Sources, instanceId: string): { name: string; masking: { table: string; column: string; algorithm: MaskingRule['algorithm'] }[] }[] {
  const prefix = `${instanceId}/`;
  const names = new Set<string>();
  for (const p of sources.projects) for (const d of p.databases) if (d.name.startsWith(prefix)) names.add(d.name.slice(prefix.length));
  for (const r of sources.masking) if (r.database.startsWith(prefix)) names.add(r.database.slice(prefix.length));
  return [...names].sort().map((name) => ({
    name,
    masking: sources.masking.filter((r) => r.database === `${prefix}${name}`).map(({ table, column, algorithm }) => ({ table, column, algorithm })),
  }));
}

/** Writes the provisioning SQL of `--instance` to `out`; returns the exit code. */
export async function provisionCommand(args: ProvisionArgs, out: (text: string) => void = (t) => process.stdout.write(t)): Promise<number> {
  if (!args.instance) throw new ConfigError('provision needs --instance ID');
  const { sources, baseDir, secrets } = await readSources(args);
  const instance = sources.instances.find((i) => i.id === args.instance);
  if (!instance) throw new ConfigError(`no instance "${args.instance}" (instances: ${sources.instances.map((i) => i.id).join(', ') || 'none'})`);
  const engine = createEngines([instance], baseDir, secrets()).get(instance.id)!;
  try {
    if (!engine.provisionScript) throw new ConfigError(`instance "${instance.id}" (${instance.engine}) needs no provisioning`);
    const databases = instanceDatabases(sources, instance.id);
    if (databases.length === 0) throw new ConfigError(`no project or masking rule names a database of instance "${instance.id}"`);
    out(await engine.provisionScript(databases));
    return 0;
  } finally {
    await engine.close();
  }
}
