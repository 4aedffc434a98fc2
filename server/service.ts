// Opens everything the service needs in a data dir and wires it together. The CLI and the
// tests both start the service through here.
import { mkdirSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { openAuditLog } from './audit/audit-log.js';
import type { Config } from './config/schema.js';
import { systemClock, type Clock } from './domain/clock.js';
import type { Deps } from './domain/deps.js';
import { startExpiryScheduler, type ExpiryScheduler } from './domain/expiry.js';
import { FairShare } from './domain/fair-share.js';
import { openIdentitySecrets } from './engines/identity-secrets.js';
import { createEngines } from './engines/registry.js';
import { EventBus } from './events/bus.js';
import { createApp, type AppType } from './http/app.js';
import { createOidcAuthenticator } from './http/oidc.js';
import { createStatementAnalyzer } from './sql/analysis.js';
import { checkRules } from './domain/approval-rules.js';
import { openConfigStore, stateFromConfig } from './store/config-store.js';
import { lockDataDir, type DataDirLock } from './store/data-dir-lock.js';
import { openSqliteLedger } from './store/sqlite-ledger.js';

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
  const config = await openConfigStore(join(options.dataDir, 'state.json'), () =>
    stateFromConfig(absolutePaths(options.seed(), options.seedDir)),
  );
  const state = await config.read();
  const problem = checkRules(state.approvalRules);
  if (problem) throw new StartupError(`invalid approval rule: ${problem.message}`);
  const ledger = openSqliteLedger(join(options.dataDir, 'ledger.sqlite'));
  const clock = options.clock ?? systemClock;
  const audit = await openAuditLog(join(options.dataDir, 'audit.jsonl'), () => clock.now(), log, { acceptBroken: options.acceptBrokenAuditLog }).catch(async (err) => {
    await ledger.close();
    throw err;
  });
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
  // Instance paths were made absolute when the state was seeded.
  const engines = createEngines(state.instances, options.dataDir, openIdentitySecrets(options.dataDir));
  const analyzer = createStatementAnalyzer();
  const deps: Deps = { clock, config, ledger, audit, engines, events: new EventBus(), analyzer, fairShare: new FairShare() };
  const scheduler = startExpiryScheduler(deps, (err) => log(`expiry scheduler: ${(err as Error).stack ?? String(err)}`));
  deps.onCommit = () => scheduler.kick();
  scheduler.kick();
  await scheduler.idle();
  const oidc = options.auth?.oidc && createOidcAuthenticator(options.auth.oidc, () => clock.now());
  const app = createApp(deps, { onInternalError: (err) => log(`internal error: ${(err as Error).stack ?? String(err)}`), oidc });
  return {
    app,
    deps,
    scheduler,
    async close() {
      scheduler.stop();
      await scheduler.idle();
      await Promise.all([...engines.values()].map((e) => e.close()));
      await analyzer.close();
      await audit.close();
      await ledger.close();
      lock.release();
    },
  };
}
