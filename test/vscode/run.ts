// Extension-host tests: the mocha suite in ./suite runs inside real VS Code's extension host
// (code-server, through the stand-in executable), against a real jit-server.
//
//   npx tsx test/vscode/run.ts      (after test/setup/install-vscode.sh and `npm run build`)
//
// Exits non-zero when a test fails; mocha's summary is printed either way. With
// JIT_TEST_COUNTS set, the count reporter appends "<JIT_TEST_SUITE> passed failed" to it.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { build } from 'esbuild';
import { runTests } from '@vscode/test-electron';
import { USERS } from './kit/api.js';
import { startService, type Service } from './kit/service.js';
import { makeWorkspace } from './kit/workspace.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const OUT = path.join(ROOT, 'dist/test/vscode');

/**
 * The suite compiled to CommonJS for the extension host (see ./tsconfig.json), and the
 * stand-in executable bundled for Node.
 */
async function compile(): Promise<{ standIn: string; suite: string }> {
  fs.rmSync(OUT, { recursive: true, force: true });
  execFileSync(process.execPath, [createRequire(import.meta.url).resolve('typescript/bin/tsc'), '-p', path.join(import.meta.dirname, 'tsconfig.json')], { stdio: 'inherit' });
  fs.writeFileSync(path.join(OUT, 'package.json'), '{ "type": "commonjs" }\n');
  const standIn = path.join(OUT, 'code-stand-in.mjs');
  await build({
    entryPoints: [path.join(import.meta.dirname, 'code-stand-in.ts')],
    outfile: standIn,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    banner: { js: '#!/usr/bin/env node' },
    logLevel: 'warning',
  });
  fs.chmodSync(standIn, 0o755);
  return { standIn, suite: path.join(OUT, 'suite', 'index.js') };
}

const { standIn, suite } = await compile();
let service: Service | undefined;
let workspace: string | undefined;
let exitCode = 0;
try {
  service = await startService();
  workspace = makeWorkspace(service.url);
  await runTests({
    vscodeExecutablePath: standIn,
    extensionDevelopmentPath: ROOT,
    extensionTestsPath: suite,
    launchArgs: [workspace],
    // code-server's environment, inherited by the extension host.
    extensionTestsEnv: {
      JIT_ACCESS_TOKEN: USERS.alice.token,
      JIT_TEST_SERVICE_URL: service.url,
      JIT_TEST_COUNTS: process.env.JIT_TEST_COUNTS ?? '',
      JIT_TEST_SUITE: process.env.JIT_TEST_SUITE ?? 'vscode-host',
    },
  });
} catch (err) {
  console.error('extension-host tests failed:', err instanceof Error ? err.message : err);
  exitCode = 1;
} finally {
  await service?.stop();
  if (workspace) fs.rmSync(workspace, { recursive: true, force: true });
}
process.exit(exitCode);
