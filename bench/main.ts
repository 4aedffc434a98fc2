// npm run bench [-- --quick] [-- --only=name,name]: runs the suites in priority order against
// the built service and writes bench/results/<suite>.json, summary.md and ledger-scale.svg.
// --quick is the CI smoke run: small sizes, results under bench/results/tmp/quick/.
// Exit status 1 only when a suite crashed or an integrity check failed, never for timings.
// Under npm test (JIT_TEST_COUNTS set) it reports like a test suite: every measurement taken
// passes, every suite with a failure fails once, and every part not measured (no PostgreSQL
// server, the .vsix in --quick ...) is counted and named as skipped.
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { summaryMarkdown, type SuiteReport } from './report/summary.js';
import { TMP_ROOT } from './lib/fixture.js';
import { outcome, type Suite } from './lib/suite.js';
import { ledgerChart } from './report/chart.js';
import { concurrency } from './suites/concurrency.js';
import { exportSuite } from './suites/export.js';
import { extensionSuite } from './suites/extension.js';
import { fairness } from './suites/fairness.js';
import { resultsGridSuite } from './suites/results-grid.js';
import { ledgerScale, type ScalePoint } from './suites/ledger-scale.js';
import { peerDbhub } from './suites/peer-dbhub.js';
import { replicasSuite } from './suites/replicas.js';
import { routing } from './suites/routing.js';
import { runOverheadPostgres } from './suites/run-overhead-postgres.js';
import { runOverheadSqlite } from './suites/run-overhead-sqlite.js';
import { sqliteDriver } from './suites/sqlite-driver.js';

// Priority order: if time runs out, what matters most has been measured.
const SUITES: Suite[] = [runOverheadSqlite, sqliteDriver, runOverheadPostgres, peerDbhub, ledgerScale, replicasSuite, routing, concurrency, fairness, exportSuite, extensionSuite, resultsGridSuite];

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, only: { type: 'string' } } });
const quick = values.quick!;
const only = values.only?.split(',');
const outDir = quick ? join(TMP_ROOT, 'quick') : fileURLToPath(new URL('./results/', import.meta.url));
mkdirSync(outDir, { recursive: true });

const started = performance.now();
const reports: SuiteReport[] = [];
let failed = false;
for (const suite of SUITES.filter((s) => !only || only.includes(s.name))) {
  const log = (message: string) => process.stderr.write(`[bench ${suite.name}] ${message}\n`);
  log('start');
  const suiteStart = performance.now();
  let result = outcome();
  try {
    if (suite.unavailable) result.rows.push({ measure: 'everything', result: suite.unavailable, status: 'not measured' });
    else result = await suite.run({ quick, log });
  } catch (err) {
    result.rows.push({ measure: 'everything', result: 'the suite crashed (see the notes)', status: 'not measured' });
    result.failures.push(`the suite crashed: ${(err as Error).stack ?? String(err)}`);
  }
  failed ||= result.failures.length > 0;
  log(`done in ${((performance.now() - suiteStart) / 1000).toFixed(1)} s${result.failures.length ? ` with FAILURES:\n${result.failures.join('\n')}` : ''}`);
  const date = new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
  writeFileSync(join(outDir, `${suite.name}.json`), `${JSON.stringify({ suite: suite.name, title: suite.title, quick, date, ...result }, null, 2)}\n`);
  reports.push({ suite, outcome: result });
  const points = result.data.points as ScalePoint[] | undefined;
  if (suite === ledgerScale && points?.length) writeFileSync(join(outDir, 'ledger-scale.svg'), ledgerChart(points));
}

// --only re-measures some suites: the summary keeps the others' last results, saying so.
const earlier: string[] = [];
if (only) {
  for (const suite of SUITES.filter((s) => !only.includes(s.name))) {
    const file = join(outDir, `${suite.name}.json`);
    if (!existsSync(file)) continue;
    const saved = JSON.parse(readFileSync(file, 'utf8')) as ReturnType<typeof outcome> & { date?: string };
    reports.push({ suite, outcome: { rows: saved.rows, notes: saved.notes, data: saved.data, failures: saved.failures } });
    earlier.push(`${suite.title} (${saved.date ?? 'an earlier run'})`);
  }
  reports.sort((a, b) => SUITES.indexOf(a.suite) - SUITES.indexOf(b.suite));
}

const meta = {
  quick,
  earlier,
  date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
  machine: `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, Node ${process.version}`,
  seconds: (performance.now() - started) / 1000,
};
writeFileSync(join(outDir, 'summary.md'), summaryMarkdown(reports, meta));
const clean = reports.filter((r) => r.outcome.failures.length === 0);
const skipped = clean.flatMap((r) => r.outcome.rows.filter((row) => row.status === 'not measured').map((row) => ({ suite: r.suite.name, ...row })));
const passed = clean.reduce((n, r) => n + r.outcome.rows.filter((row) => row.status !== 'not measured').length, 0);
if (skipped.length) {
  process.stderr.write(`[bench] SKIPPED ${skipped.length} (not measured):\n`);
  for (const row of skipped) process.stderr.write(`[bench]   ${row.suite}: ${row.measure} — ${row.result}\n`);
}
process.stderr.write(`[bench] wrote ${outDir} in ${meta.seconds.toFixed(0)} s${failed ? ' — FAILED' : ''}\n`);
if (process.env.JIT_TEST_COUNTS) {
  // The reason up to its first colon keeps the counts line short; the log has the rest.
  const note = skipped.map((row) => `${row.suite}: ${row.measure} (${row.result.split(':')[0]})`).join(', ');
  appendFileSync(
    process.env.JIT_TEST_COUNTS,
    `${process.env.JIT_TEST_SUITE ?? 'bench'} ${passed} ${reports.length - clean.length} ${skipped.length}${note ? ` # skipped: ${note}` : ''}\n`,
  );
}
process.exit(failed ? 1 : 0);
