'use strict';
// Mocha's spec output plus one line "suite passed failed skipped" appended to $JIT_TEST_COUNTS,
// so test/run-all.sh can total every suite (including the ones run inside VS Code)
// into the single "N passed, N failed" line CI reads.
const fs = require('node:fs');
const Mocha = require('mocha');

const { EVENT_RUN_END } = Mocha.Runner.constants;

class CountReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(EVENT_RUN_END, () => {
      const file = process.env.JIT_TEST_COUNTS;
      if (!file) return;
      const suite = process.env.JIT_TEST_SUITE || 'mocha';
      const { passes, failures, pending } = runner.stats;
      fs.appendFileSync(file, `${suite} ${passes} ${failures} ${pending}\n`);
    });
  }
}

module.exports = CountReporter;
