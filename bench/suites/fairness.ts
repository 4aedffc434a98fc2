// 8. Fairness: one user floods an instance with endless statements (eight at a time, retrying
// whatever is refused) while another user runs a small query in a loop. The other user's
// latency is compared with the same loop on a quiet instance, in the same run.
import { count, p50p99, ratio } from '../lib/format.js';
import { client, expectStatus, type Client } from '../lib/http.js';
import { makeFixture, PROJECT, TOKENS } from '../lib/fixture.js';
import { startService } from '../lib/service.js';
import { summarize } from '../lib/stats.js';
import { against, outcome, type Suite } from '../lib/suite.js';
import { database } from '../lib/workflow.js';
import { SMALL_SQL } from './run-overhead.js';

const FLOOD = 8;
const ENDLESS = 'WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c) SELECT count(*) AS n FROM c';

const query = (who: Client, statement: string) => who.json('POST', `/projects/${PROJECT}/query`, { database: database('wide'), statement });

/** The small query in a loop until `deadline`: latencies of the successes, and the failures by status. */
async function smallLoop(who: Client, deadline: number) {
  const latencies: number[] = [];
  const failures = new Map<number, number>();
  while (performance.now() < deadline) {
    const t = performance.now();
    const reply = await query(who, SMALL_SQL);
    if (reply.status === 200) latencies.push(performance.now() - t);
    else failures.set(reply.status, (failures.get(reply.status) ?? 0) + 1);
  }
  return { latency: summarize(latencies), failures };
}

export const fairness: Suite = {
  name: 'fairness',
  title: 'Fair sharing',
  async run(ctx) {
    const out = outcome();
    const seconds = ctx.quick ? 3 : 20;
    const fixture = makeFixture('fairness', { wide: 1_000 });
    const service = await startService(fixture);
    const flooder = client(service.url, TOKENS.alice);
    const other = client(service.url, TOKENS.bob);
    const refused = { tooMany: 0, timedOut: 0 };
    try {
      // Endless statements end at the time limit; a short one keeps the run short. The share
      // per user is the default one.
      expectStatus(await client(service.url, TOKENS.admin).json('PATCH', '/workspace/settings', { queryTimeout: '5s', maxRunningPerUser: 2 }), 200, 'set limits');
      const quiet = await smallLoop(other, performance.now() + seconds * 1000);
      ctx.log(`quiet: ${p50p99(quiet.latency)}; flooding with ${FLOOD} endless statements for ${seconds} s`);
      const deadline = performance.now() + seconds * 1000;
      const flood = Array.from({ length: FLOOD }, async () => {
        while (performance.now() < deadline) {
          const reply = await query(flooder, ENDLESS);
          if (reply.status === 429) {
            refused.tooMany++;
            await new Promise((r) => setTimeout(r, 100));
          } else if (reply.status === 504) refused.timedOut++;
        }
      });
      const busy = await smallLoop(other, deadline);
      await Promise.all(flood);
      const failed = [...busy.failures.values()].reduce((a, b) => a + b, 0);
      const p99Ratio = busy.latency.p99 / quiet.latency.p99;
      out.data = { seconds, flood: FLOOD, quiet, busy: { ...busy, failures: Object.fromEntries(busy.failures) }, refused, p99Ratio };
      out.rows.push(
        { measure: 'another user\'s small query, quiet instance', result: p50p99(quiet.latency), status: 'info' },
        { measure: `another user's small query while one user floods (${FLOOD} endless statements)`, result: `${p50p99(busy.latency)} (p99 ${ratio(p99Ratio)} quiet)`, status: 'info' },
        { measure: 'the other user\'s queries that failed during the flood', result: `${count(failed)} of ${count(failed + busy.latency.n)}`, goal: '0', status: against(failed === 0) },
        { measure: 'the flooder\'s statements refused over their share (429) / run to the time limit (504)', result: `${count(refused.tooMany)} / ${count(refused.timedOut)}`, status: 'info' },
      );
      if (failed) out.failures.push(`the other user's queries failed during the flood: ${JSON.stringify(Object.fromEntries(busy.failures))}`);
    } finally {
      await service.stop();
      fixture.remove();
    }
    return out;
  },
};
