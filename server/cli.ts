// jit-server: starts the service, or `jit-server audit verify` checks the audit log's chain.
import { once } from 'node:events';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { serve } from '@hono/node-server';
import { verifyAuditLog, type VerifyResult } from './audit/verify.js';
import { ConfigError, loadConfigFile } from './config/load.js';
import { storeUrlSchema } from './config/schema.js';
import { DEMO_TOKENS, demoConfig } from './demo/demo-config.js';
import { seedDemoDatabases } from './demo/seed.js';
import { provisionCommand } from './provision-command.js';
import { openService } from './service.js';
import { lockDataDir } from './store/data-dir-lock.js';
import { verifyStoreChain } from './store/postgres/commands.js';
import { redacted } from './store/postgres/pool.js';

const USAGE = `usage: jit-server [--config FILE] [--data-dir DIR] [--store URL] [--host 127.0.0.1] [--port 8787] [--accept-broken-audit-log]
       jit-server audit verify [--data-dir DIR | --store URL]
       jit-server provision --instance ID [--config FILE] [--data-dir DIR] [--store URL]

One service per data directory: a second one on the same DIR is refused. --store
postgres://user:pw@host:port/db (or store.url in the config file; the flag wins) keeps the
ledger, audit chain and configuration state in PostgreSQL, shared by every replica given it.
A service whose audit log fails its chain check refuses to start; --accept-broken-audit-log
starts it anyway and records the acceptance in the log. audit verify exits 0 when the chain
holds (accepted breaks are listed), 1 at a break no one accepted, 2 when DIR or its log is
missing, or no service has started on the store.
provision prints the SQL a DBA runs where the service's account may not provision the
instance's identities and masking views itself.`;

const log = (line: string) => process.stderr.write(`${line}\n`);

class PortInUseError extends Error {
  constructor(host: string, port: number) {
    super(`port ${port} on ${host} is in use (another service is listening there); start with --port N to use another one`);
  }
}

async function verifyFile(dataDir: string): Promise<number> {
  const file = join(dataDir, 'audit.jsonl');
  // A mistyped --data-dir must not read as a verified, empty log.
  if (!statSync(dataDir, { throwIfNoEntry: false })?.isDirectory()) throw new ConfigError(`data directory ${dataDir} does not exist; check --data-dir`);
  if (!existsSync(file)) throw new ConfigError(`no audit log in ${dataDir} (${file} does not exist); check --data-dir`);
  return report({ file }, await verifyAuditLog(file));
}

/** Prints what audit verify found in the log file or the store; returns the exit code. */
function report(source: { file: string } | { store: string }, result: VerifyResult): number {
  const file = Object.values(source)[0];
  const accepted = result.accepted && { acceptedBreaks: result.accepted };
  // Accepted breaks stay visible but do not fail the check: a verify that failed for ever after
  // an accepted break could not tell a new break from the old one, and would be ignored.
  for (const a of result.accepted ?? []) log(`audit log ${file}: the break at line ${a.line} (${a.reason}) was accepted by the operator at line ${a.acceptedAt}`);
  if (result.ok) {
    process.stdout.write(`${JSON.stringify({ event: 'audit.verified', ...source, entries: result.entries, ...accepted })}\n`);
    return 0;
  }
  process.stdout.write(`${JSON.stringify({ event: 'audit.broken', ...source, line: result.line, reason: result.reason, verifiedEntries: result.entries, ...accepted })}\n`);
  log(`audit log ${file} is broken at line ${result.line}: ${result.reason}`);
  return 1;
}

async function start(values: { config?: string; 'data-dir'?: string; store?: string; host: string; port: string; 'accept-broken-audit-log'?: boolean }): Promise<void> {
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`--port must be 0-65535, got "${values.port}"`);
  const dataDir = resolve(values['data-dir'] ?? '.jit-data');
  const configFile = values.config && resolve(values.config);
  const config = configFile ? await loadConfigFile(configFile) : demoConfig();
  const store = storeFlag(values.store) ?? config.store?.url;
  mkdirSync(dataDir, { recursive: true });
  // Before anything is written to the data dir, the demo databases included.
  const lock = lockDataDir(dataDir);
  if (!configFile) seedDemoDatabases(join(dataDir, 'demo-data'));
  const service = await openService({
    dataDir,
    seed: () => config,
    auth: config.auth,
    seedDir: configFile ? dirname(configFile) : dataDir,
    log,
    lock,
    acceptBrokenAuditLog: values['accept-broken-audit-log'],
    store,
  });
  const server = serve({ fetch: service.app.fetch, hostname: values.host, port });
  try {
    await once(server, 'listening');
  } catch (err) {
    await service.close();
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new PortInUseError(values.host, port);
    throw err;
  }
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  lock.listening(values.host, actualPort);
  // Before the listening line: whoever waits for it may send SIGTERM the moment it appears.
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: draining requests`);
    // Stop accepting; let in-flight requests finish; long-lived SSE streams are cut after a grace period.
    const closed = new Promise<void>((r) => server.close(() => r()));
    setTimeout(() => 'closeAllConnections' in server && server.closeAllConnections(), 5000).unref();
    if ('closeIdleConnections' in server) server.closeIdleConnections();
    await closed;
    await service.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  const host = values.host.includes(':') ? `[${values.host}]` : values.host;
  process.stdout.write(`${JSON.stringify({ event: 'listening', url: `http://${host}:${actualPort}` })}\n`);
  log(`Just-in-Time Access service on http://${host}:${actualPort} (data in ${store ? redacted(store) : dataDir})`);
  if (!configFile) {
    log('Demo users and their tokens (send "Authorization: Bearer <token>"):');
    for (const [user, token] of Object.entries(DEMO_TOKENS)) log(`  ${user.padEnd(6)} ${token}`);
  }
}

function storeFlag(url: string | undefined): string | undefined {
  const parsed = storeUrlSchema.optional().safeParse(url);
  if (!parsed.success) throw new ConfigError(`--store ${parsed.error.issues[0].message}, got "${redacted(url!)}"`);
  return parsed.data;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      'data-dir': { type: 'string' },
      store: { type: 'string' },
      instance: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '8787' },
      'accept-broken-audit-log': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (positionals[0] === 'audit' && positionals[1] === 'verify' && positionals.length === 2) {
    const store = storeFlag(values.store);
    return store ? report({ store: redacted(store) }, await verifyStoreChain(store)) : verifyFile(resolve(values['data-dir'] ?? '.jit-data'));
  }
  if (positionals[0] === 'provision' && positionals.length === 1) {
    return provisionCommand({ instance: values.instance, config: values.config, dataDir: resolve(values['data-dir'] ?? '.jit-data'), store: storeFlag(values.store) });
  }
  if (positionals.length) throw new ConfigError(`unknown command "${positionals.join(' ')}"\n${USAGE}`);
  await start(values);
  return -1;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    log(err instanceof Error && !(err instanceof TypeError) ? `jit-server: ${err.message}` : `jit-server: ${String((err as Error)?.stack ?? err)}`);
    process.exit(2);
  },
);
