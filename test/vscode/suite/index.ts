// Mocha entry point the extension host loads (--extensionTestsPath): VS Code calls run() and
// treats a rejection as a failed run. Files run in name order, so activation is checked first.
import fs from 'node:fs';
import path from 'node:path';
import Mocha from 'mocha';
import { installSpies } from './helpers';

export async function run(): Promise<void> {
  installSpies();
  const mocha = new Mocha({
    // Spec output plus the "suite passed failed" line for test/run-all.sh (JIT_TEST_COUNTS).
    reporter: path.resolve(__dirname, '../../../../test/support/count-reporter.cjs'),
    color: false, // the output travels through VS Code's log channel; escape codes only add noise
    timeout: 30_000,
    // A committed .only would silently shrink the run to one test.
    forbidOnly: true,
  });
  for (const f of fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort()) {
    mocha.addFile(path.join(__dirname, f));
  }
  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  if (failures > 0) throw new Error(`${failures} extension-host test(s) failed`);
}
