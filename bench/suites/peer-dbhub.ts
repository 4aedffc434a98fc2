// The peer side by side (issue 21): the service, Bytebase's DBHub (read-only execute_sql over
// MCP/HTTP) and the raw `pg` driver in-process, on the same PostgreSQL table, sampled in turn
// so a noisy neighbour slows them alike. Then a 1M-row result: the service's CSV export
// against DBHub returning the same rows (it has no export; one execute_sql is the nearest).
import pg from 'pg';
import { checkAudit } from '../lib/audit.js';
import { installDbhub, startDbhub, type Dbhub } from '../lib/dbhub.js';
import { count, ms, p50p99, ratio } from '../lib/format.js';
import { client, expectStatus } from '../lib/http.js';
import { makeFixture, TOKENS } from '../lib/fixture.js';
import { startService } from '../lib/service.js';
import { interleave, median, summarize } from '../lib/stats.js';
import { against, outcome, type Suite } from '../lib/suite.js';
import { activeGrant, runGrant } from '../lib/workflow.js';
import { createWideDatabase } from './run-overhead-postgres.js';

const DATABASE = 'jit_peer';
const adminUrl = process.env.JIT_TEST_PG_ADMIN_URL;
const readerUrl = process.env.JIT_TEST_PG_URL;
const ownerUrl = process.env.JIT_TEST_PG_OWNER_URL;

export const peerDbhub: Suite = {
  name: 'peer-dbhub',
  title: 'DBHub side by side (PostgreSQL)',
  unavailable: adminUrl && readerUrl && ownerUrl ? undefined : 'no PostgreSQL server: run `test/setup/db-servers.sh npm run bench`',
  async run(ctx) {
    const out = outcome();
    const installed = await installDbhub(ctx.log);
    if ('unavailable' in installed) {
      out.rows.push({ measure: 'DBHub', result: installed.unavailable, status: 'not measured' });
      return out;
    }
    const exportRows = ctx.quick ? 100_000 : 1_000_000;
    await createWideDatabase(adminUrl!, exportRows, DATABASE);
    ctx.log(`${count(exportRows)} rows written; DBHub ${installed.version}`);
    const fixture = makeFixture('peer-dbhub', { [DATABASE]: exportRows }, { engine: 'postgres', url: ownerUrl! });
    const raw = new pg.Client({ connectionString: `${readerUrl}/${DATABASE}` });
    await raw.connect();
    const service = await startService(fixture);
    let dbhub: Dbhub | undefined;
    const actors = { requester: client(service.url, TOKENS.alice), approver: client(service.url, TOKENS.bob) };
    const grantIds: string[] = [];
    let runs = 0;
    try {
      dbhub = await startDbhub(installed.bin, `${readerUrl}/${DATABASE}?sslmode=disable`);
      const cases = [
        { label: '1 row', sql: 'SELECT * FROM wide WHERE id = 42', rows: 1, rounds: ctx.quick ? { warmup: 10, measured: 40 } : { warmup: 50, measured: 400 } },
        { label: '10,000 rows × 10 columns', sql: 'SELECT * FROM wide WHERE id <= 10000', rows: 10_000, rounds: ctx.quick ? { warmup: 2, measured: 6 } : { warmup: 5, measured: 40 } },
      ];
      for (const c of cases) {
        const grantId = await activeGrant(actors, DATABASE, c.sql);
        grantIds.push(grantId);
        const expect = (who: string, n: number) => {
          if (n !== c.rows) throw new Error(`${who} returned ${n} rows, expected ${c.rows}`);
        };
        ctx.log(`${c.label}: ${c.rounds.measured} rounds`);
        const samples = await interleave(
          {
            raw: async () => expect('raw pg', (await raw.query({ text: c.sql, rowMode: 'array' })).rows.length),
            service: async () => {
              expect('the service', (await runGrant(actors.requester, grantId)).rowCount);
              runs++;
            },
            dbhub: async () => expect('DBHub', (await dbhub!.query(c.sql)).length),
          },
          c.rounds,
        );
        const [svc, peer, base] = [summarize(samples.service), summarize(samples.dbhub), summarize(samples.raw)];
        out.data[c.label] = { service: svc, dbhub: peer, raw: base };
        out.rows.push({
          measure: `PostgreSQL run, ${c.label}: service vs DBHub ${installed.version} (raw pg for scale)`,
          result: `service ${p50p99(svc)}; DBHub ${p50p99(peer)}; raw ${p50p99(base)}; service/DBHub ${ratio(svc.p50 / peer.p50)} at p50`,
          goal: 'faster than DBHub',
          status: against(svc.p50 < peer.p50),
        });
      }

      const sql = 'SELECT * FROM wide';
      const grantId = await activeGrant(actors, DATABASE, sql, { export: true });
      grantIds.push(grantId);
      ctx.log(`${count(exportRows)} rows: service CSV export vs DBHub execute_sql`);
      const big = await interleave(
        {
          service: async () => {
            const reply = await actors.requester.drain('GET', `/grants/${grantId}/export?format=csv`);
            if (reply.status !== 200) throw new Error(`export: HTTP ${reply.status}; ${service.diagnostics()}`);
          },
          dbhub: async () => {
            const rows = await dbhub!.query(sql);
            if (rows.length !== exportRows) throw new Error(`DBHub returned ${rows.length} rows, expected ${exportRows}`);
          },
        },
        { warmup: 0, measured: ctx.quick ? 1 : 2 },
      );
      const [svc, peer] = [median(big.service), median(big.dbhub)];
      out.data.export = { rows: exportRows, serviceMs: big.service, dbhubMs: big.dbhub };
      out.rows.push({
        measure: `PostgreSQL, ${count(exportRows)} rows: service CSV export vs DBHub execute_sql (JSON)`,
        result: `${ms(svc)} vs ${ms(peer)} (median); service/DBHub ${ratio(svc / peer)}`,
        goal: 'faster than DBHub',
        status: against(svc < peer),
      });
      out.notes.push(
        `DBHub ${installed.version} ran as \`dbhub --transport http\` with one source whose execute_sql is read-only; each query is one stateless MCP ` +
          'tools/call over a kept-alive HTTP socket, its reply parsed as an MCP client must (the JSON-RPC envelope, then the tool\'s JSON text). DBHub has ' +
          'no streamed export: the nearest is one execute_sql of all rows, answered as one JSON document. The raw driver is `pg` in the benchmark\'s process.',
      );
    } finally {
      await dbhub?.stop();
      await service.stop();
      await raw.end();
    }
    const audit = await checkAudit(fixture.dataDir, grantIds.slice(0, 2), runs);
    out.rows.push({ measure: 'service runs with their audit line', result: `${audit.auditLines} of ${audit.runs}, chain ${audit.chainVerified ? 'verified' : 'BROKEN'}`, goal: 'all', status: against(audit.ok) });
    if (!audit.ok) out.failures.push(`${audit.runs} runs but ${audit.auditLines} grant.run lines (chain verified: ${audit.chainVerified})`);
    fixture.remove();
    return out;
  },
};
