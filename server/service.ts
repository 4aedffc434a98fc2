// Opens everything the service needs in a data dir and wires it together. The CLI and the
// tests both start the service through here.
import { mkdirSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { Config } from './config/schema.js';
import { systemClock, type Clock } from './domain/clock.js';
import type { Deps } from './domain/deps.js';
import { startExpiryScheduler, type ExpiryScheduler } from './domain/expiry.js';
import { FairShare } from './domain/fair-share.js';
import { createEngines } from './engines/registry.js';
import { EventBus } from './events/bus.js';
import { startWebhooks } from './notify/webhooks.js';
import { createApp, type AppType } from './http/app.js';
import { createOidcAuthenticator } from './http/oidc.js';
import { createStatementAnalyzer } from './sql/analysis.js';
import { checkRules } from './domain/approval-rules.js';
import { stateFromConfig } from './store/config-store.js';
import { startReplication } from './replicas/replication.js';
import { lockDataDir, type DataDirLock } from './store/data-dir-lock.js';
import { openSqliteWebhookOutbox } from './store/sqlite-webhook-outbox.js';
import { openPostgresStores } from './store/postgres/stores.js';
import { openEmbeddedStores, type Stores } from './store/stores.js';

export interface ServiceOptions {
  dataDir: string;
  /** Seeds the data dir the first time; ignored once the data dir holds state. */
  seed: () => Config;
  /** From the config file at every start (not seeded): which identity provider signs users in. */
  auth?: Config['auth'];
  /** Base for relative instance paths in the seed config. */
  seedDir: string;
  clock?: Clock;
  log?: (line: string) => void;
  /**
   * The data directory's lock, when the caller took it already (the CLI does, before it seeds
   * the demo databases); taken here otherwise. Either way close() releases it.
   */
  lock?: DataDirLock;
  /** Start even though the audit chain is broken, recording the acceptance in the log. */
  acceptBrokenAuditLog?: boolean;
  /**
   * A postgres:// URL: the ledger, audit chain, configuration state and identity key live in
   * that database, shared with every replica started on it, instead of in the data dir.
   */
  store?: string;
}

export interface Service {
  app: AppType;
  deps: Deps;
  scheduler: ExpiryScheduler;
  close(): Promise<void>;
}

export class StartupError extends Error {}

function absolutePaths(config: Config, base: string): Config {
  return {
    ...config,
    instances: config.instances.map((i) => (i.engine === 'sqlite' && !isAbsolute(i.path) ? { ...i, path: resolve(base, i.path) } : i)),
  };
}

export async function openService(options: ServiceOptions): Promise<Service> {
  mkdirSync(options.dataDir, { recursive: true });
  const lock = options.lock ?? lockDataDir(options.dataDir);
  try {
    return await openLocked(options, lock);
  } catch (err) {
    lock.release();
    throw err;
  }
}

async function openLocked(options: ServiceOptions, lock: DataDirLock): Promise<Service> {
  const log = options.log ?? (() => undefined);
  const clock = options.clock ?? systemClock;
  const seed = () => stateFromConfig(absolutePaths(options.seed(), options.seedDir));
  const stores = options.store
    ? await openPostgresStores(options.store, seed, log)
    : await openEmbeddedStores(options.dataDir, seed, () => clock.now(), log, { acceptBroken: options.acceptBrokenAuditLog });
  try {
    return await openWithStores(options, stores, clock, log, lock);
  } catch (err) {
    await stores.close();
    throw err;
  }
}

async function openWithStores(options: ServiceOptions, stores: Stores, clock: Clock, log: (line: string) => void, lock: DataDirLock): Promise<Service> {
  const { config, ledger, audit } = stores;
  const state = await config.read();
  const problem = checkRules(state.approvalRules);
  if (problem) throw new StartupError(`invalid approval rule: ${problem.message}`);
  // A crash between an audit append and its ledger commit leaves entries for a change that
  // never happened; the ledger's mark tells them apart, and the log says so.
  const uncommitted = await audit.transactionalAfter(await ledger.auditMark());
  if (uncommitted.length) {
    log(`audit log: ${uncommitted.length} entries record changes that were not committed before the last stop`);
    await audit.append(
      { actor: 'system', action: 'audit.uncommitted', outcome: 'error', detail: { seqs: uncommitted, reason: 'the service stopped before the change these entries record was committed' } },
      clock.now(),
    );
  }
  // Replicas on one store share events and the timer duty; alone, the service delivers in-process.
  const replication = options.store ? await startReplication({ url: options.store, ledger, log }) : undefined;
  // Instance paths were made absolute when the state was seeded.
  const engines = createEngines(state.instances, options.dataDir, stores.secrets);
  const analyzer = createStatementAnalyzer();
  const webhooks = startWebhooks({ clock, config, ledger, audit }, openSqliteWebhookOutbox(join(options.dataDir, 'webhooks.sqlite')), {
    onError: (err) => log(`webhooks: ${(err as Error).stack ?? String(err)}`),
  });
  const deps: Deps = { clock, config, ledger, audit, engines, events: replication?.events ?? new EventBus(), webhooks, analyzer, fairShare: new FairShare() };
  const startScheduler = () => startExpiryScheduler(deps, (err) => log(`expiry scheduler: ${(err as Error).stack ?? String(err)}`));
  const scheduler = replication ? await replication.timerDuty(startScheduler) : startScheduler();
  deps.onCommit = () => {
    scheduler.kick();
    replication?.committed();
  };
  scheduler.kick();
  await scheduler.idle();
  // Deliveries still pending at the last stop go out now (or at their next retry).
  webhooks.kick();
  const oidc = options.auth?.oidc && createOidcAuthenticator(options.auth.oidc, () => clock.now());
  const app = createApp(deps, { onInternalError: (err) => log(`internal error: ${(err as Error).stack ?? String(err)}`), oidc });
  return {
    app,
    deps,
    scheduler,
    async close() {
      scheduler.stop();
      await scheduler.idle();
      await webhooks.close();
      await replication?.close();
      await Promise.all([...engines.values()].map((e) => e.close()));
      await analyzer.close();
      await stores.close();
      lock.release();
    },
  };
}
