// Mutation testing (npm run mutation; not part of npm test: it is slow). StrykerJS mutates the
// rules of the service — domain, approval policy, statement gate, masking, the engines'
// guards (guard.ts, mysql-guard.ts, postgres-functions.ts) — and runs the unit and API tests
// that cover each mutant (per-test coverage).
// Reports go to test-output/mutation/; scripts/mutation.mjs scopes a run and summarizes it.
// Survivors judged equivalent are explained in test/mutation/equivalent.md.
//
// scripts/mutation.mjs sets MUTATION_OUT (where this run's reports go) and, for a scoped run,
// MUTATION_SPEC (the test files that can cover the scope), so scoped runs can go side by side.
const OUT = process.env.MUTATION_OUT ?? 'test-output/mutation';
const SPEC = process.env.MUTATION_SPEC?.split(',') ?? ['test/unit/server/**/*.test.ts', 'test/unit/masking/**/*.test.ts', 'test/api/**/*.test.ts'];

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'mocha',
  // The tests are TypeScript, loaded through tsx like `npm test` does (.mocharc.cjs's
  // node-option is not applied by the mocha runner, which runs mocha in its own process).
  testRunnerNodeArgs: ['--import', 'tsx/esm'],
  mochaOptions: {
    config: '.mocharc.cjs',
    // The suites that exercise the server's rules; the extension's unit tests cover none of them.
    spec: SPEC,
    require: ['test/support/fresh-gate.ts'],
  },
  coverageAnalysis: 'perTest',
  // The initial run is the whole unit and API suite with coverage; on a busy machine it takes
  // several minutes (Stryker's default limit is 5).
  dryRunTimeoutMinutes: 30,
  // Re-runs test only the mutants whose code or covering tests changed (npm run mutation -- --incremental).
  incrementalFile: `${OUT}/incremental.json`,
  mutate: [
    'server/domain/**/*.ts',
    'server/policy/**/*.ts',
    'server/sql/**/*.ts',
    'lang/**/*.ts',
    'server/masking/**/*.ts',
    'server/engines/guard.ts',
    'server/engines/mysql-guard.ts',
    'server/engines/postgres-functions.ts',
    // Types and interfaces only.
    '!server/domain/types.ts',
    '!server/domain/deps.ts',
  ],
  // Static mutants (module-level tables such as the side-effect function list) would each
  // need every test re-run in a fresh process; they are reported as ignored, not run.
  ignoreStatic: true,
  // tsx strips types without checking them, so a mutant that does not type-check still runs.
  disableTypeChecks: false,
  concurrency: 2,
  timeoutMS: 10000,
  timeoutFactor: 2,
  reporters: ['html', 'json', 'clear-text', 'progress'],
  htmlReporter: { fileName: `${OUT}/index.html` },
  jsonReporter: { fileName: `${OUT}/mutation.json` },
  clearTextReporter: { allowColor: false, reportTests: false, reportMutants: false },
  tempDirName: `${OUT}/.stryker-tmp`,
  cleanTempDir: true,
  // The sandbox needs the server and its tests only.
  ignorePatterns: ['/extension', '/webview', '/bench', '/dist', '/test/ui', '/test/vscode', '/test/engines', '/test/reliability', '/test-output', '/.vscode-test', '*.vsix'],
};
