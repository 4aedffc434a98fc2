// Stands in for the `code` executable that @vscode/test-electron's runTests() launches
// (vscodeExecutablePath), since desktop VS Code cannot be had here. It takes the same
// arguments, runs the extension tests in code-server + headless chromium, relays their output
// and exits with the code VS Code reports — so runTests() resolves or rejects as usual.
// Bundled to dist/test/vscode/code-stand-in.mjs by test/vscode/run.ts.
//
// Env: VSCODE_E2E_TIMEOUT_MS (default 10 min), VSCODE_E2E_VERBOSE=1 (workbench chatter too).
import path from 'node:path';
import util from 'node:util';
import type { Browser } from 'playwright-core';
import { launchChromium, remoteUri, startCodeServer, workbenchUrl, type CodeServer } from './kit/code-server.js';

const verbose = process.env.VSCODE_E2E_VERBOSE === '1';
const timeoutMs = Number(process.env.VSCODE_E2E_TIMEOUT_MS ?? 600_000);

// The workbench's startup chatter shares the log channel with the tests' output.
const NOISE = [
  /^Resolving connection token/, /^Resolved connection token/, /^Creating a socket/,
  /^\[Service Worker\]/, /^\[AgentHost:/, /^\[AccountPolicyGate\]/, /^\[reconnection-grace-time\]/,
  /additional builtin extensions/, /^Started local extension host/, /^Creation of workbench contribution/,
  /^Timed out waiting for authentication provider 'github'/, // no GitHub sign-in in code-server
];

const devPaths: string[] = [];
const folders: string[] = [];
let testsPath: string | undefined;
for (const a of process.argv.slice(2)) {
  const eq = a.indexOf('=');
  const [k, v] = eq > 0 ? [a.slice(0, eq), a.slice(eq + 1)] : [a, ''];
  if (k === '--extensionDevelopmentPath') devPaths.push(path.resolve(v));
  else if (k === '--extensionTestsPath') testsPath = path.resolve(v);
  // Desktop-only flags (--no-sandbox, --user-data-dir=…) do not apply: every run gets a fresh profile.
  else if (!a.startsWith('-')) folders.push(path.resolve(a));
}
if (!testsPath || devPaths.length === 0) {
  console.error('[stand-in] need --extensionTestsPath=… and --extensionDevelopmentPath=…');
  process.exit(2);
}

let cs: CodeServer | undefined;
let browser: Browser | undefined;
let exitCode = 1;
try {
  // The smoke-test driver makes code-server honour ?payload=, which starts the tests.
  cs = await startCodeServer({ smokeTestDriver: true, verbose });
  const payload: [string, string][] = [
    ...devPaths.map((p): [string, string] => ['extensionDevelopmentPath', remoteUri(cs!, p)]),
    ['extensionTestsPath', remoteUri(cs, testsPath)],
  ];
  browser = await launchChromium(cs);
  const page = await browser.newPage();
  let reportExit!: (code: number) => void;
  const exited = new Promise<number>((r) => { reportExit = r; });
  // VS Code reports the outcome and — for tests started from the CLI — every log line of the
  // extension host (so mocha's reporter) through these two functions, which must exist
  // before the workbench loads.
  await page.exposeFunction('codeAutomationExit', (code: unknown) => reportExit(Number(code)));
  await page.exposeFunction('codeAutomationLog', (level: string, args: unknown) => {
    const text = util.format(...(Array.isArray(args) ? args : [args]));
    if (!verbose && NOISE.some((re) => re.test(text))) return;
    (level === 'error' || level === 'warn' ? console.error : console.log)(text);
  });
  if (verbose) page.on('console', (msg) => console.log(`[browser ${msg.type()}]`, msg.text()));
  // Desktop VS Code can start without a folder; the web workbench needs one. Loading it took
  // over playwright's default 30 s on a loaded 2-core machine; the UI suite allows 120 s too.
  await page.goto(workbenchUrl(cs, folders[0] ?? devPaths[0], payload), { timeout: 120_000 });
  let timer: NodeJS.Timeout | undefined;
  exitCode = await Promise.race([
    exited,
    new Promise<number>((r) => { timer = setTimeout(() => { console.error(`[stand-in] no result after ${timeoutMs} ms`); r(1); }, timeoutMs); }),
  ]);
  clearTimeout(timer);
} catch (err) {
  console.error('[stand-in] failed:', err);
  exitCode = 1;
} finally {
  await browser?.close().catch(() => {});
  await cs?.stop();
}
process.exit(exitCode);
