// 6. Extension: the .vsix that `npm run package` makes, and activation time. VS Code does not
// report activation time to tests, so it is measured outside the host: loading the bundle and
// calling activate() in a fresh Node with a stand-in `vscode` module (bench/lib/activation-probe.cjs).
import { execFile } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { mb, ms } from '../lib/format.js';
import { TMP_ROOT } from '../lib/fixture.js';
import { median } from '../lib/stats.js';
import { against, outcome, type Suite } from '../lib/suite.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PROBE = fileURLToPath(new URL('../lib/activation-probe.cjs', import.meta.url));
const BUNDLE = join(ROOT, 'dist/extension/extension.js');

async function activation(samples: number): Promise<{ requireMs: number; activateMs: number }[]> {
  const out = [];
  for (let i = 0; i < samples; i++) {
    const { stdout } = await run(process.execPath, [PROBE, BUNDLE], { timeout: 30_000 });
    const result = JSON.parse(stdout) as { requireMs: number; activateMs: number; error?: string };
    if (result.error) throw new Error(`activate() failed outside the host: ${result.error}`);
    out.push(result);
  }
  return out;
}

export const extensionSuite: Suite = {
  name: 'extension',
  title: 'Extension',
  async run(ctx) {
    const out = outcome();
    if (ctx.quick) {
      // The smoke run only proves the probe still works; packaging is the package test's job.
      await run(process.execPath, ['scripts/build.mjs', 'extension'], { cwd: ROOT });
      out.rows.push({ measure: '.vsix size', result: 'skipped in --quick', goal: '< 2 MB', status: 'not measured' });
    } else {
      const dir = join(TMP_ROOT, 'vsix');
      mkdirSync(dir, { recursive: true });
      const vsix = join(dir, 'jit-access.vsix');
      ctx.log('npm run package');
      const packaged = await run('npm', ['run', 'package', '--silent', '--', '--out', vsix], { cwd: ROOT, maxBuffer: 1 << 24 }).then(
        () => undefined,
        (err: { stderr?: string; message: string }) => (err.stderr || err.message).split('\n').find((l) => l.trim()) ?? 'failed',
      );
      if (packaged === undefined) {
        const size = statSync(vsix).size;
        out.data.vsixBytes = size;
        out.rows.push({ measure: '.vsix size (npm run package)', result: mb(size), goal: '< 2 MB', status: against(size < 2 * 1024 * 1024) });
      } else {
        out.rows.push({ measure: '.vsix size', result: `npm run package fails: ${packaged.trim()}`, goal: '< 2 MB', status: 'not measured' });
      }
    }
    const samples = await activation(ctx.quick ? 1 : 7);
    const total = median(samples.map((s) => s.requireMs + s.activateMs));
    out.data.activation = samples;
    out.rows.push({
      measure: 'activation outside the host: load the bundle + activate() (stubbed vscode API)',
      result: `${ms(total)} (median of ${samples.length}; activate() itself ${ms(median(samples.map((s) => s.activateMs)))})`,
      goal: '< 50 ms',
      status: against(total < 50),
    });
    out.notes.push(
      'Activation inside the extension host is not measured: VS Code does not expose activation times to extension tests, and the ' +
        'test harness (test/vscode/) does not record them. The number above is the extension\'s own cost (module load + activate()) ' +
        'in a fresh Node process with every vscode API call stubbed; the host adds its own work around it.',
    );
    return out;
  },
};
