// 1. Run overhead: POST /grants/:id/run over loopback HTTP against the same statement through
// the raw driver in the benchmark's own process, sampled alternately so noise hits both. The
// service's own engine is timed in-process too, which splits the overhead into the engine's
// share (read-only session, worker hop, value conversion) and the rest (HTTP, auth, ledger,
// audit fsync, JSON).
import { checkAudit } from '../lib/audit.js';
import { ms, p50p99, ratio } from '../lib/format.js';
import { fsyncCost } from '../lib/fsync.js';
import { client, expectStatus } from '../lib/http.js';
import { startService } from '../lib/service.js';
import { interleave, summarize } from '../lib/stats.js';
import { against, outcome, type Context, type Suite } from '../lib/suite.js';
import type { Engine } from '../../server/engines/engine.js';
import { TOKENS, type Fixture } from '../lib/fixture.js';
import { activeGrant, runGrant } from '../lib/workflow.js';
import { NO_MASKING } from '../../test/support/run-scope.js';

export const SMALL_SQL = 'SELECT * FROM wide WHERE id = 42';
export const LARGE_SQL = 'SELECT * FROM wide';
export const LARGE_ROWS = 10_000;
const ENGINE_LIMITS = { timeoutMs: 120_000, maxRows: LARGE_ROWS };

/** An engine to measure: a workspace whose database `wide` holds LARGE_ROWS rows, and its raw driver. */
export interface Target {
  engine: string;
  /** The database name inside the instance, as the grant names it. */
  database: string;
  /** Why this engine cannot be measured here. */
  unavailable?: string;
  /** What the engine does per statement beyond the raw driver, for the notes. */
  engineWork: string;
  setup(ctx: Context): Promise<{
    fixture: Fixture;
    raw(sql: string): Promise<unknown[][]>;
    /** The service's engine for the same instance, used in-process. */
    engine: Engine;
    close(): Promise<void>;
  }>;
}

/**
 * The SQLite engine's close() waits for its idle worker processes to exit, but idle workers
 * are unref'd, so with nothing else pending Node ends the process mid-await (exit code 13).
 * A timer keeps the event loop alive until the close is done.
 */
async function closeEngine(engine: Engine): Promise<void> {
  const alive = setInterval(() => undefined, 1000);
  try {
    await engine.close();
  } finally {
    clearInterval(alive);
  }
}

export function runOverheadSuite(target: Target): Suite {
  return {
    name: `run-overhead-${target.engine.toLowerCase()}`,
    title: `Run overhead on ${target.engine}`,
    unavailable: target.unavailable,
    async run(ctx) {
      const out = outcome();
      const { fixture, raw, engine, close } = await target.setup(ctx);
      const service = await startService(fixture);
      const actors = { requester: client(service.url, TOKENS.alice), approver: client(service.url, TOKENS.bob) };
      const cases = [
        { label: '1 row', sql: SMALL_SQL, rows: 1, rounds: ctx.quick ? { warmup: 10, measured: 40 } : { warmup: 50, measured: 500 } },
        { label: `${LARGE_ROWS.toLocaleString('en-US')} rows × 10 columns`, sql: LARGE_SQL, rows: LARGE_ROWS, rounds: ctx.quick ? { warmup: 2, measured: 6 } : { warmup: 5, measured: 60 } },
      ];
      const grantIds: string[] = [];
      let runs = 0;
      let refused = false;
      try {
        for (const c of cases) {
          const grantId = await activeGrant(actors, target.database, c.sql);
          grantIds.push(grantId);
          const probe = await actors.requester.json('POST', `/grants/${grantId}/run`, {});
          if (probe.status === 503) {
            out.rows.push({ measure: `${target.engine} run`, result: `the service cannot run it: ${probe.body.error?.message}`, status: 'not measured' });
            refused = true;
            break;
          }
          expectStatus(probe, 200, 'run grant');
          runs++;
          ctx.log(`${target.engine} ${c.label}: ${c.rounds.measured} rounds`);
          const samples = await interleave(
            {
              raw: async () => {
                const rows = await raw(c.sql);
                if (rows.length !== c.rows) throw new Error(`raw driver returned ${rows.length} rows, expected ${c.rows}`);
              },
              // What any JSON API must add at least: encoding the rows and decoding them again.
              rawJson: async () => JSON.parse(JSON.stringify({ rows: await raw(c.sql) })),
              engine: async () => {
                const result = await engine.query(target.database, c.sql, ENGINE_LIMITS, NO_MASKING);
                if (result.rows.length !== c.rows) throw new Error(`engine returned ${result.rows.length} rows, expected ${c.rows}`);
              },
              // The HTTP round trip with auth and JSON but no engine, ledger or audit.
              me: async () => expectStatus(await actors.requester.json('GET', '/me'), 200, 'GET /me'),
              service: async () => {
                const result = await runGrant(actors.requester, grantId);
                runs++;
                if (result.rowCount !== c.rows) throw new Error(`service returned ${result.rowCount} rows, expected ${c.rows}`);
              },
            },
            c.rounds,
          );
          const svc = summarize(samples.service);
          const base = summarize(samples.raw);
          const eng = summarize(samples.engine);
          const floor = summarize(samples.rawJson);
          const me = summarize(samples.me);
          out.data[c.label] = { service: svc, raw: base, engine: eng, rawJson: floor, me, ratioP50: svc.p50 / base.p50, addedP50: svc.p50 - base.p50 };
          const small = c.rows === 1;
          const added = svc.p50 - base.p50;
          const r = svc.p50 / base.p50;
          // Issue 21: a large run is held to the floor any JSON API pays (raw + encode + decode), a small one to raw.
          const overFloor = svc.p50 / floor.p50;
          out.rows.push({
            measure: `${target.engine} run, ${c.label}`,
            result: `service ${p50p99(svc)}; raw ${p50p99(base)}; raw + JSON ${p50p99(floor)}; ${ratio(r)} raw, ${ratio(overFloor)} raw + JSON, +${ms(added)} at p50`,
            goal: small ? '≤ +2 ms at p50' : '≤ 1.3× raw + JSON',
            status: against(small ? added <= 2 : overFloor <= 1.3),
          });
          const floorText = small ? '' : ` Floor for any JSON API (raw + encode + decode, in-process): ${ms(floor.p50)} = ${ratio(floor.p50 / base.p50)} raw; the service is ${ratio(overFloor)} that floor.`;
          out.rows.push({
            measure: `${target.engine} ${c.label}: where the added time goes (p50)`,
            result:
              `engine in-process ${ms(eng.p50)} (+${ms(eng.p50 - base.p50)} over raw); HTTP, auth, ledger, audit fsync, JSON +${ms(svc.p50 - eng.p50)}, ` +
              `of which a bare authenticated GET /me round trip is ${ms(me.p50)}.${floorText}`,
            status: 'info',
          });
          if (small && added > 2) {
            out.notes.push(
              `${target.engine}, 1 row: +${ms(added)} at p50 against a 2 ms budget. The engine alone (in-process, same statement) adds ${ms(eng.p50 - base.p50)}: ` +
                `${target.engineWork}. ` +
                `The remaining ${ms(svc.p50 - eng.p50)} is HTTP + Hono routing/validation + auth (an authenticated GET /me alone: ${ms(me.p50)}) + the ledger ` +
                'transaction + one audit append with fsync, which the contract requires before the result is returned (see the fsync row). On this machine ' +
                '(2 cores shared with other busy agents) every hop between processes — client, service, engine worker or server, fsync thread — also waits ' +
                'for a core. A CPU profile of 1,000 such runs (node --cpu-prof on dist/server/cli.js, 2026-11-25) put the largest share of the service\'s own ' +
                'time, about 1.8 ms a run, in a WAL fsync at the ledger COMMIT, and the next in re-parsing the approved statement for masking; both are gone ' +
                'since (a run\'s final check writes nothing to the ledger; accepted statements are cached in server/sql/statement-gate.ts), and this ' +
                'figure is measured after them. A second profile (1,200 one-row SQLite runs, 2026-11-29, load average about 15 on 2 cores) found the ' +
                'main thread idle 58% of the time, waiting on the other processes; its largest own cost was the synchronous IPC write to the SQLite ' +
                'worker (a send wakes the worker, and the writer often loses its core to it), now one message per small run instead of three (the ' +
                'first batch comes with the columns; an exhausted statement needs no close); then the HTTP socket write, garbage collection and the ' +
                'audit append (a write and an fsync, two thread-pool hops). What is left is the per-run audit fsync the contract asks for and the process hops above.',
            );
          }
          if (!small && overFloor > 1.3) {
            out.notes.push(
              `${target.engine}, ${c.label}: ${ratio(overFloor)} raw + JSON against 1.3× (${ratio(r)} raw). Encoding the rows as JSON and decoding them again costs ` +
                `${ratio(floor.p50 / base.p50)} the raw read in-process. Of the service's time, the engine in-process (cells, not JSON) accounts for ` +
                `${ms(eng.p50 - base.p50)} over raw (${target.engineWork}), and the rest — rows encoded next to the driver and copied into the response once, ` +
                `the socket write and the client's JSON.parse — for ${ms(svc.p50 - eng.p50)}.`,
            );
          }
        }
        if (!refused) {
          const fsync = fsyncCost(fixture.dataDir, ctx.quick ? 20 : 100);
          out.data.fsync = fsync;
          out.rows.push({ measure: 'one audit-line append + fsync on this disk', result: p50p99(fsync), status: 'info' });
        }
      } finally {
        await service.stop();
        await closeEngine(engine);
        await close();
      }
      const audit = await checkAudit(fixture.dataDir, grantIds, runs);
      out.data.audit = audit;
      if (!refused) out.rows.push({ measure: `${target.engine} runs with their audit line`, result: `${audit.auditLines} of ${audit.runs}, chain ${audit.chainVerified ? 'verified' : 'BROKEN'}`, goal: 'all', status: against(audit.ok) });
      if (!audit.ok) out.failures.push(`${target.engine}: ${audit.runs} runs but ${audit.auditLines} grant.run lines (chain verified: ${audit.chainVerified})`);
      fixture.remove();
      return out;
    },
  };
}
