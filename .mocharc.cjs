'use strict';
module.exports = {
  'node-option': ['import=tsx/esm'],
  reporter: require.resolve('./test/support/count-reporter.cjs'),
  spec: ['test/unit/**/*.test.ts', 'test/api/**/*.test.ts'],
  timeout: 20000,
  // A committed .only would silently shrink the run to one test.
  'forbid-only': true,
};
