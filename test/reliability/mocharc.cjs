'use strict';
// The reliability suite's own mocha config (the root .mocharc.cjs runs unit + api only, and a
// --spec on the command line would be added to its spec, not replace it). Files run sorted so
// zz-secrets.test.ts runs last, over what every other file collected.
module.exports = {
  'node-option': ['import=tsx/esm'],
  reporter: require.resolve('../support/count-reporter.cjs'),
  // JIT_RELIABILITY_SPEC=test/reliability/x.test.ts runs one file while iterating.
  spec: [process.env.JIT_RELIABILITY_SPEC || 'test/reliability/**/*.test.ts'],
  sort: true,
  timeout: 30000,
  // A committed .only would silently shrink the run to one test.
  'forbid-only': true,
};
