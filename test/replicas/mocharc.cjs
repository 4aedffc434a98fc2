'use strict';
// The replica suite's own mocha config (needs the PostgreSQL of test/setup/db-servers.sh and
// starts jit-server processes; the root .mocharc.cjs runs unit + api only).
module.exports = {
  'node-option': ['import=tsx/esm'],
  reporter: require.resolve('../support/count-reporter.cjs'),
  spec: ['test/replicas/**/*.test.ts'],
  timeout: 60000,
  // A committed .only would silently shrink the run to one test.
  'forbid-only': true,
};
