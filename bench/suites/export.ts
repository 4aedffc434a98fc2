// 2. Export: the service streaming a grant's result as CSV and NDJSON, against iterating the
// driver in-process and feeding the service's own serializer — so the difference is what the
// service adds (worker hop, masking, HTTP), not a different CSV writer. Peak RSS of the
// service is sampled during each export: it must not grow with the row count.
import Database from 'better-sqlite3';
import type { Cell } from '../../server/engines/engine.js';
import { serialize, type ExportFormat } from '../../server/export/formats.js';
import { checkAudit } from '../lib/audit.js';
import { count, mb, ms, ratio } from '../lib/format.js';
import { client } from '../lib/http.js';
import { makeFixture, TOKENS } from '../lib/fixture.js';
import { peakRssDuring, rssBytes, startService } from '../lib/service.js';
import { interleave, median } from '../lib/stats.js';
import { against, outcome, type Suite } from '../lib/suite.js';
import { activeGrant } from '../lib/workflow.js';

const FORMATS: ExportFormat[] = ['csv', 'ndjson'];
const BATCH = 1000;

/** Driver iteration in batches, as the engine reads, into the service's serializer; counts bytes. */
async function inProcess(db: Database.Database, sql: string, format: ExportFormat): Promise<number> {
  const stmt = db.prepare(sql).raw(true);
  const columns = stmt.columns().map((c) => ({ name: c.name, type: c.type ?? '', source: c.table && c.column ? { table: c.table, column: c.column } : null }));
  const batches = (async function* () {
    let batch: Cell[][] = [];
    for (const row of stmt.iterate() as Iterable<Cell[]>) {
      batch.push(row);
      if (batch.length === BATCH) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length) yield batch;
  })();
  let bytes = 0;
  for await (const chunk of serialize(format, { columns, batches })) bytes += Buffer.byteLength(chunk);
  return bytes;
}

export const exportSuite: Suite = {
  name: 'export',
  title: 'Export',
  async run(ctx) {
    const out = outcome();
    const sizes = ctx.quick ? [10_000, 50_000] : [100_000, 1_000_000];
    const largest = sizes[sizes.length - 1];
    const fixture = makeFixture('export', { big: largest });
    ctx.log(`${count(largest)} rows written`);
    const db = new Database(fixture.dbFile('big'), { readonly: true });
    const service = await startService(fixture);
    const actors = { requester: client(service.url, TOKENS.alice), approver: client(service.url, TOKENS.bob) };
    const grantIds: string[] = [];
    let exports = 0;
    try {
      // The first statement starts a SQLite worker process (tens of MB of its own); that is
      // the service's idle footprint, not the export's, so it happens before measuring.
      const warmup = await activeGrant(actors, 'big', 'SELECT * FROM wide WHERE id <= 1000', { export: true });
      grantIds.push(warmup);
      await actors.requester.drain('GET', `/grants/${warmup}/export?format=csv`);
      exports++;
      for (const rows of sizes) {
        const sql = `SELECT * FROM wide WHERE id <= ${rows}`;
        const grantId = await activeGrant(actors, 'big', sql, { export: true });
        grantIds.push(grantId);
        for (const format of FORMATS) {
          ctx.log(`${count(rows)} rows as ${format}`);
          let peak = 0;
          let before = Infinity;
          let serviceBytes = 0;
          let localBytes = 0;
          const samples = await interleave(
            {
              service: async () => {
                // The lowest RSS seen between exports is the idle level the peak is compared with.
                before = Math.min(before, rssBytes(service.pid));
                const path = `/grants/${grantId}/export?format=${format}`;
                let reply: { status: number; bytes: number } | undefined;
                const sent = performance.now();
                const seen = await peakRssDuring(service.pid, async () => {
                  reply = await actors.requester.drain('GET', path).catch((err: Error) => {
                    throw new Error(`GET ${path}: ${err.message} after ${ms(performance.now() - sent)}; ${service.diagnostics()}`);
                  });
                });
                peak = Math.max(peak, seen);
                if (reply!.status !== 200) throw new Error(`GET ${path}: HTTP ${reply!.status}; ${service.diagnostics()}`);
                serviceBytes = reply!.bytes;
                exports++;
              },
              inProcess: async () => {
                localBytes = await inProcess(db, sql, format);
              },
            },
            ctx.quick ? { warmup: 0, measured: 1 } : { warmup: 0, measured: rows >= 1_000_000 ? 2 : 3 },
          );
          const [svc, local] = [median(samples.service), median(samples.inProcess)];
          const r = svc / local;
          const growth = peak - before;
          out.data[`${format}-${rows}`] = { rows, serviceMs: samples.service, inProcessMs: samples.inProcess, ratio: r, rssBefore: before, rssPeak: peak, serviceBytes, localBytes };
          out.rows.push(
            { measure: `${count(rows)} rows → ${format.toUpperCase()}, service vs in-process`, result: `${ms(svc)} vs ${ms(local)} (median); ${ratio(r)}`, goal: '≤ 1.3×', status: against(r <= 1.3) },
            { measure: `${count(rows)} rows → ${format.toUpperCase()}, peak RSS of the service and its SQLite workers`, result: `${mb(peak)}, +${mb(growth)} over idle (${mb(before)})`, goal: '< +150 MB', status: against(growth < 150 * 1024 * 1024) },
          );
          if (serviceBytes !== localBytes) out.notes.push(`${count(rows)} rows as ${format}: the service sent ${count(serviceBytes)} bytes, the in-process serializer made ${count(localBytes)}.`);
        }
      }
    } finally {
      await service.stop();
      db.close();
    }
    const worst = Math.max(...Object.values(out.data).map((d) => (d as { ratio?: number }).ratio ?? 0));
    if (worst > 1.3) {
      out.notes.push(
        `Exports take up to ${ratio(worst)} the in-process time (goal 1.3×, issue 21). The rows are encoded once, in the SQLite worker, by the same ` +
          'code as the in-process writer (server/export/row-text.ts), and reach the service as bytes it passes to the socket without parsing them; ' +
          'what is left over the in-process run is copying each batch through the pipe from the worker process, the HTTP socket writes (one per ' +
          'batch through a web ReadableStream) and the client reading them, on 2 cores shared by the worker, the service and the client.',
      );
    }
    const audit = await checkAudit(fixture.dataDir, grantIds, exports, 'grant.export.finished');
    out.data.audit = audit;
    out.rows.push({ measure: 'exports with their audit line', result: `${audit.auditLines} of ${audit.runs}, chain ${audit.chainVerified ? 'verified' : 'BROKEN'}`, goal: 'all', status: against(audit.ok) });
    if (!audit.ok) out.failures.push(`${audit.runs} exports but ${audit.auditLines} grant.export.finished lines (chain verified: ${audit.chainVerified})`);
    fixture.remove();
    return out;
  },
};
