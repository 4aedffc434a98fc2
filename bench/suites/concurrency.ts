// 5. Concurrency: 50 clients on loopback, each running its own grant in a loop for a fixed
// time. Afterwards every successful run must have its own audit line and the chain must hold.
import { checkAudit } from '../lib/audit.js';
import { count, p50p99 } from '../lib/format.js';
import { client } from '../lib/http.js';
import { makeFixture, TOKENS } from '../lib/fixture.js';
import { startService } from '../lib/service.js';
import { summarize } from '../lib/stats.js';
import { against, outcome, type Suite } from '../lib/suite.js';
import { activeGrant } from '../lib/workflow.js';
import { SMALL_SQL } from './run-overhead.js';

const CLIENTS = 50;

export const concurrency: Suite = {
  name: 'concurrency',
  title: 'Concurrency',
  async run(ctx) {
    const out = outcome();
    const seconds = ctx.quick ? 3 : 30;
    const fixture = makeFixture('concurrency', { wide: 1_000 });
    const service = await startService(fixture);
    const actors = { requester: client(service.url, TOKENS.alice), approver: client(service.url, TOKENS.bob) };
    const latencies: number[] = [];
    const errors = new Map<string, number>();
    const grantIds: string[] = [];
    let elapsed = 0;
    try {
      for (let i = 0; i < CLIENTS; i++) grantIds.push(await activeGrant(actors, 'wide', SMALL_SQL));
      ctx.log(`${CLIENTS} clients for ${seconds} s`);
      const started = performance.now();
      const deadline = started + seconds * 1000;
      await Promise.all(
        grantIds.map(async (grantId) => {
          while (performance.now() < deadline) {
            const t = performance.now();
            const reply = await actors.requester.json('POST', `/grants/${grantId}/run`, {}).catch((err: Error) => ({ status: 0, body: err.message }));
            if (reply.status === 200) latencies.push(performance.now() - t);
            else {
              const key = `HTTP ${reply.status}: ${JSON.stringify(reply.body).slice(0, 120)}`;
              errors.set(key, (errors.get(key) ?? 0) + 1);
            }
          }
        }),
      );
      elapsed = (performance.now() - started) / 1000;
    } finally {
      await service.stop();
    }
    const audit = await checkAudit(fixture.dataDir, grantIds, latencies.length);
    fixture.remove();
    const errorCount = [...errors.values()].reduce((a, b) => a + b, 0);
    const latency = summarize(latencies);
    const throughput = latencies.length / elapsed;
    out.data = { clients: CLIENTS, seconds: elapsed, runs: latencies.length, errors: Object.fromEntries(errors), latency, throughput, audit };
    out.rows.push(
      { measure: `${CLIENTS} clients × ${seconds} s of runs: errors`, result: `${count(errorCount)} of ${count(latencies.length + errorCount)} calls`, goal: '0', status: against(errorCount === 0) },
      { measure: 'latency under load', result: p50p99(latency), status: 'info' },
      { measure: 'throughput', result: `${count(throughput)} runs/s`, status: 'info' },
      { measure: 'runs with their audit line', result: `${count(audit.auditLines)} of ${count(audit.runs)}, chain ${audit.chainVerified ? 'verified' : 'BROKEN'}`, goal: 'all', status: against(audit.ok) },
    );
    if (errorCount) out.failures.push(`${errorCount} failed runs: ${[...errors].map(([k, v]) => `${v}× ${k}`).join('; ')}`);
    if (!audit.ok) out.failures.push(`${audit.runs} successful runs but ${audit.auditLines} grant.run audit lines (chain verified: ${audit.chainVerified})`);
    return out;
  },
};
