// npm run mutation [-- PATH… [--stryker-option value…]]
//
// Runs StrykerJS (stryker.config.mjs) over the service's rules, or only over the given folders
// or files (e.g. `npm run mutation -- server/policy`), then writes a plain-text summary to
// test-output/mutation/summary.txt: the score per folder and every surviving or uncovered
// mutant, each marked with its explanation when test/mutation/equivalent.md has one.
// Options after the paths (--concurrency 1, --incremental, …) go to Stryker unchanged.
// A scoped run writes to test-output/mutation/<scope>/ (so scoped runs can go side by side);
// a run over the folders that only unit tests reach (policy, sql, masking, the guard) runs
// the unit tests only, a run that includes server/domain the API tests too. MUTATION_SPEC set
// by the caller (comma-separated test files) narrows that to the files that exercise a scope's
// rules: for code that nearly every API test reaches, each mutant would otherwise rerun most
// of the API suite.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const EQUIVALENT = join(ROOT, 'test/mutation/equivalent.md');
const NOT_MUTATED = ['!server/domain/types.ts', '!server/domain/deps.ts'];
const UNIT_SPEC = ['test/unit/server/**/*.test.ts', 'test/unit/masking/**/*.test.ts'];
const API_SPEC = ['test/api/**/*.test.ts'];

const args = process.argv.slice(2);
const firstOption = args.findIndex((a) => a.startsWith('--'));
const paths = firstOption === -1 ? args : args.slice(0, firstOption);
const passThrough = firstOption === -1 ? [] : args.slice(firstOption);
const slug = paths.map((p) => p.replace(/^server\//, '').replace(/\.ts$/, '').replace(/[^A-Za-z0-9]+/g, '-')).join('+');
const OUT_REL = paths.length ? `test-output/mutation/${slug}` : 'test-output/mutation';
const OUT = join(ROOT, OUT_REL);
const REPORT = join(OUT, 'mutation.json');
// The domain is reached through the HTTP API; the rest has unit tests of its own (and the API
// tests reach it too, at a high price per mutant: each starts a whole service).
const defaultSpec = paths.length === 0 ? [...UNIT_SPEC, ...API_SPEC] : paths.some((p) => p.includes('domain')) ? [...UNIT_SPEC, ...API_SPEC] : UNIT_SPEC;

function globFor(path) {
  const rel = posix.normalize(path.replaceAll('\\', '/')).replace(/\/$/, '');
  if (!existsSync(join(ROOT, rel))) throw new Error(`mutation: no such file or folder: ${path}`);
  return statSync(join(ROOT, rel)).isDirectory() ? `${rel}/**/*.ts` : rel;
}

mkdirSync(OUT, { recursive: true });
const spec = process.env.MUTATION_SPEC ?? defaultSpec.join(',');
const mutate = paths.length ? ['--mutate', [...paths.map(globFor), ...NOT_MUTATED].join(',')] : [];
const started = Date.now();
const run = spawnSync(process.execPath, [join(ROOT, 'node_modules/@stryker-mutator/core/bin/stryker.js'), 'run', 'stryker.config.mjs', ...mutate, ...passThrough], {
  cwd: ROOT,
  stdio: 'inherit',
  env: { ...process.env, MUTATION_OUT: OUT_REL, MUTATION_SPEC: spec },
});
const minutes = ((Date.now() - started) / 60_000).toFixed(1);
if (run.status !== 0 || !existsSync(REPORT)) {
  console.error(`mutation: Stryker exited with ${run.status ?? run.signal}`);
  process.exit(run.status || 1);
}

// "- `lang/sql/lexer.ts:57:9 EqualityOperator` reason…" lines of the equivalent-mutant document.
const explained = new Map();
if (existsSync(EQUIVALENT)) {
  for (const m of readFileSync(EQUIVALENT, 'utf8').matchAll(/^- `([^`:]+):(\d+):(\d+) (\w+)`(.*)$/gm)) {
    explained.set(`${m[1]}:${m[2]}:${m[3]} ${m[4]}`, m[5].replace(/^[\s:—-]+/, '').trim());
  }
}

const report = JSON.parse(readFileSync(REPORT, 'utf8'));
const folders = new Map();
const open = [];
const row = () => ({ Killed: 0, Survived: 0, NoCoverage: 0, Timeout: 0, Ignored: 0, CompileError: 0, RuntimeError: 0 });
for (const [file, { mutants }] of Object.entries(report.files)) {
  const folder = file.startsWith('server/engines/') ? file : posix.dirname(file);
  if (!folders.has(folder)) folders.set(folder, row());
  const counts = folders.get(folder);
  for (const m of mutants) {
    counts[m.status] = (counts[m.status] ?? 0) + 1;
    if (m.status === 'Survived' || m.status === 'NoCoverage') {
      const key = `${file}:${m.location.start.line}:${m.location.start.column} ${m.mutatorName}`;
      open.push({ key, status: m.status, replacement: m.replacement, why: explained.get(key) });
    }
  }
}

const score = (c) => {
  const valid = c.Killed + c.Timeout + c.Survived + c.NoCoverage;
  return valid ? ((100 * (c.Killed + c.Timeout)) / valid).toFixed(1) : '-';
};
const total = row();
const lines = [
  `Mutation run of ${new Date(started).toISOString()} (${minutes} min): npm run mutation${args.length ? ` -- ${args.join(' ')}` : ''}${process.env.MUTATION_SPEC ? ` (tests: ${spec})` : ''}`,
  '',
  'folder                          score  killed survived no-cov timeout ignored(static) errors',
];
for (const [folder, c] of [...folders].sort()) {
  for (const k of Object.keys(total)) total[k] += c[k] ?? 0;
  lines.push(`${folder.padEnd(30)} ${score(c).padStart(6)}% ${String(c.Killed).padStart(7)} ${String(c.Survived).padStart(8)} ${String(c.NoCoverage).padStart(6)} ${String(c.Timeout).padStart(7)} ${String(c.Ignored).padStart(15)} ${String(c.CompileError + c.RuntimeError).padStart(6)}`);
}
lines.push(`${'all'.padEnd(30)} ${score(total).padStart(6)}% ${String(total.Killed).padStart(7)} ${String(total.Survived).padStart(8)} ${String(total.NoCoverage).padStart(6)} ${String(total.Timeout).padStart(7)} ${String(total.Ignored).padStart(15)} ${String(total.CompileError + total.RuntimeError).padStart(6)}`);
const unexplained = open.filter((m) => !m.why);
lines.push('', `Surviving and uncovered mutants: ${open.length} (${open.length - unexplained.length} explained as equivalent in test/mutation/equivalent.md, ${unexplained.length} not)`);
for (const m of open) {
  lines.push(`  ${m.why ? 'equivalent ' : 'UNEXPLAINED'} ${m.status.padEnd(10)} ${m.key}  => ${JSON.stringify(m.replacement).slice(0, 100)}`);
  if (m.why) lines.push(`      ${m.why}`);
}
const text = lines.join('\n') + '\n';
writeFileSync(join(OUT, 'summary.txt'), text);
process.stdout.write(`\n${text}`);
