// The built service (dist/server/cli.js) as a child process on loopback: what users run, so
// what the benchmark measures. Start time is spawn → the "listening" line.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../dist/server/cli.js', import.meta.url));

export interface RunningService {
  url: string;
  pid: number;
  /** Milliseconds from spawn to the "listening" line. */
  startMs: number;
  /** SIGTERM, then resolves with the exit code once the service drained and exited. */
  stop(): Promise<number | null>;
  /** The end of the service's stderr and its exit status if it died, for error messages. */
  diagnostics(): string;
}

export interface StartOptions {
  configFile: string;
  dataDir: string;
  /** Extra node flags, e.g. ["--cpu-prof", "--cpu-prof-dir=…"] when profiling. */
  nodeArgs?: string[];
  /** Extra jit-server flags, e.g. ["--store", URL] for a replica on a PostgreSQL store. */
  args?: string[];
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

export async function startService(options: StartOptions): Promise<RunningService> {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), CLI, '--config', options.configFile, '--data-dir', options.dataDir, '--port', '0', ...(options.args ?? [])],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const msg = JSON.parse(line) as { event?: string; url?: string };
      if (msg.event === 'listening' && msg.url) resolve(msg.url);
    });
    child.once('exit', (code) => reject(new Error(`jit-server exited ${code} before listening:\n${stderr}`)));
  });
  const startMs = performance.now() - started;
  return {
    url,
    pid: child.pid!,
    startMs,
    async stop() {
      child.kill('SIGTERM');
      return exited(child);
    },
    diagnostics: () =>
      `${child.exitCode !== null || child.signalCode !== null ? `jit-server exited (${child.exitCode ?? child.signalCode}); ` : ''}stderr: ${stderr.trim() || '(empty)'}`,
  };
}

async function spawnToExitMs(args: string[]): Promise<number> {
  const started = performance.now();
  await exited(spawn(process.execPath, args, { stdio: 'ignore' }));
  return performance.now() - started;
}

/** Spawn → exit of a bare `node -e ""`: the floor under any start time on this machine right now. */
export const bareNodeStartMs = () => spawnToExitMs(['-e', '']);

/** Spawn → exit of `jit-server --help`: Node plus loading every module of the service, nothing opened. */
export const moduleLoadMs = () => spawnToExitMs([CLI, '--help']);

const readProc = (path: string) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return ''; // the process (or thread) is gone
  }
};

function childrenOf(pid: number): number[] {
  const tasks = readProc(`/proc/${pid}/task/${pid}/children`);
  return tasks.split(' ').filter(Boolean).map(Number);
}

/**
 * Resident set size of a process and all its descendants now, from /proc (Linux): the
 * service runs SQLite statements in child processes, and their memory is the service's too.
 */
export function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readProc(`/proc/${pid}/status`));
  const own = match ? Number(match[1]) * 1024 : 0;
  return childrenOf(pid).reduce((sum, child) => sum + rssBytes(child), own);
}

/** Runs `work` while sampling the process's RSS every few ms; returns the highest value seen. */
export async function peakRssDuring(pid: number, work: () => Promise<unknown>, everyMs = 10): Promise<number> {
  let peak = rssBytes(pid);
  const timer = setInterval(() => {
    peak = Math.max(peak, rssBytes(pid));
  }, everyMs);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return Math.max(peak, rssBytes(pid));
}
