// The service as a child process, as users run it: the esbuild bundle (built once per run
// into test-output/reliability/dist, so it starts fast and a concurrent edit elsewhere can't
// change it mid-run), in its own process group so SIGKILL takes its SQLite workers with it.
// Every child is killed when the suite ends, also after failures.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Config } from '../../../server/config/schema.js';
import { record } from './outputs.js';

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const DIST = join(ROOT, 'test-output', 'reliability', 'dist');
export const CLI = join(DIST, 'cli.js');

let built: Promise<void> | undefined;
export function buildService(): Promise<void> {
  built ??= build({
    entryPoints: { cli: join(ROOT, 'server/cli.ts'), 'sqlite-worker': join(ROOT, 'server/engines/sqlite-worker.ts') },
    outdir: DIST,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  }).then(() => undefined);
  return built;
}

const live = new Set<ChildProcess>();

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is gone already
  }
}

// Last resort if mocha exits without the after hooks having run.
process.on('exit', () => {
  for (const child of live) killGroup(child, 'SIGKILL');
});
after(async () => {
  await Promise.all([...live].map((c) => new Child(c, '').stop('SIGKILL')));
});

export class Child {
  constructor(
    readonly process: ChildProcess,
    readonly url: string,
  ) {}

  get pid(): number {
    return this.process.pid!;
  }

  /** Resident set size of the service process (not its workers), in bytes. */
  rss(): number {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
  }

  /** Sends the signal to the whole process group and waits for the service to exit. */
  async stop(signal: NodeJS.Signals = 'SIGKILL'): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    const p = this.process;
    if (p.exitCode !== null || p.signalCode !== null) {
      killGroup(p, 'SIGKILL'); // workers that outlived it
      live.delete(p);
      return { code: p.exitCode, signal: p.signalCode };
    }
    const exited = once(p, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    killGroup(p, signal);
    const [code, sig] = await exited;
    if (signal !== 'SIGKILL') killGroup(p, 'SIGKILL');
    live.delete(p);
    return { code, signal: sig };
  }
}

export function writeConfig(dir: string, config: Config): string {
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

/** Starts jit-server on a free loopback port and resolves once it printed its listening line. */
export async function startChild(opts: { configFile: string; dataDir: string; label: string; timeoutMs?: number; args?: string[] }): Promise<Child> {
  await buildService();
  const p = spawn(process.execPath, [CLI, '--port', '0', '--host', '127.0.0.1', '--data-dir', opts.dataDir, '--config', opts.configFile, ...(opts.args ?? [])], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  live.add(p);
  let stdout = '';
  let stderr = '';
  p.stdout!.on('data', (d) => (stdout += d));
  p.stderr!.on('data', (d) => (stderr += d));
  p.once('exit', () => {
    record(`${opts.label} stdout`, stdout);
    record(`${opts.label} stderr`, stderr);
  });
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${opts.label}: no listening line within ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs);
    const onData = () => {
      const line = stdout.split('\n').find((l) => l.includes('"listening"'));
      if (!line) return;
      clearTimeout(timer);
      p.stdout!.off('data', onData);
      resolve(JSON.parse(line).url);
    };
    p.stdout!.on('data', onData);
    p.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${opts.label}: exited ${code ?? signal} before listening; stderr: ${stderr}`));
    });
  }).catch(async (err) => {
    await new Child(p, '').stop('SIGKILL');
    throw err;
  });
  return new Child(p, url);
}

/** Runs `jit-server audit verify` on a data dir (while no service writes to it) or a store. */
export async function auditVerify(where: string | { store: string }): Promise<{ code: number; out: any; stderr: string }> {
  await buildService();
  const source = typeof where === 'string' ? ['--data-dir', where] : ['--store', where.store];
  const p = spawn(process.execPath, [CLI, 'audit', 'verify', ...source], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  p.stdout!.on('data', (d) => (stdout += d));
  p.stderr!.on('data', (d) => (stderr += d));
  const [code] = (await once(p, 'exit')) as [number];
  record('audit verify stdout', stdout);
  record('audit verify stderr', stderr);
  return { code, out: stdout ? JSON.parse(stdout) : undefined, stderr };
}

/** A JSON API client for a child service that records every error body it sees. */
export function client(url: string, tokens: Record<string, string>) {
  return async function call(user: string | null, method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<{ status: number; body: any }> {
    const headers: Record<string, string> = {};
    if (user) headers.authorization = `Bearer ${tokens[user]}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
    const text = await res.text();
    if (res.status >= 400) record(`child ${method} ${path} → ${res.status}`, text);
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
}
