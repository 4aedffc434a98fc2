// Child processes for the VS Code suites (code-server, jit-server): each runs in its own
// process group, because code-server forks an extension host, pty host and file watcher that
// a plain kill of the parent would orphan. Every group started is killed when this process
// leaves, also after a failure or a signal.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { waitFor } from './wait.js';

export interface Group {
  readonly pid: number;
  readonly child: ChildProcess;
  /** The last 20 kB of stdout + stderr (for error messages), unless `verbose` inherited them. */
  output(): string;
  exited(): boolean;
  /** SIGTERM to the group, SIGKILL after 5 s, then `cleanup`; resolves when no member is left. */
  stop(): Promise<void>;
}

export interface GroupOptions extends SpawnOptions {
  verbose?: boolean;
  /** Runs once the group is gone (e.g. removes its temp dir), whichever way it was stopped. */
  cleanup?: () => void;
}

/** Groups not stopped yet, with their cleanup. */
const live = new Map<Group, () => void>();

export function spawnGroup(cmd: string, args: string[], opts: GroupOptions = {}): Group {
  const { verbose, cleanup = () => {}, ...spawnOpts } = opts;
  // detached == setsid(): the child leads a new process group holding all its descendants.
  const child = spawn(cmd, args, { ...spawnOpts, detached: true, stdio: ['ignore', verbose ? 'inherit' : 'pipe', verbose ? 'inherit' : 'pipe'] });
  if (child.pid === undefined) throw new Error(`could not start ${cmd}`);
  const pid = child.pid;
  let out = '';
  const keep = (d: Buffer) => { out = (out + d.toString()).slice(-20_000); };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  child.on('exit', () => { exited = true; });
  let stopping: Promise<void> | undefined;
  const group: Group = {
    pid,
    child,
    output: () => out,
    exited: () => exited,
    stop: () => {
      stopping ??= (async () => {
        signalGroup(pid, 'SIGTERM');
        const gone = await waitFor(() => !groupAlive(pid), { timeoutMs: 5_000, intervalMs: 100 }).then(() => true, () => false);
        if (!gone) signalGroup(pid, 'SIGKILL');
        live.delete(group);
        cleanup();
      })();
      return stopping;
    },
  };
  live.set(group, cleanup);
  return group;
}

/** Stops every group still running. */
async function stopAll(): Promise<void> {
  await Promise.all([...live.keys()].map((group) => group.stop()));
}

// A signal (Ctrl-C, CI cancelling) must not leave code-server behind; on a plain exit with
// groups still live (an uncaught error) there is no time to wait, so they are killed outright
// (exit handlers cannot wait).
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(sig, () => { void stopAll().finally(() => process.exit(130)); });
}
process.once('exit', () => {
  for (const [group, cleanup] of live) {
    signalGroup(group.pid, 'SIGKILL');
    cleanup();
  }
});

function signalGroup(pgid: number, sig: NodeJS.Signals): void {
  try { process.kill(-pgid, sig); } catch { /* already gone */ }
}

function groupAlive(pgid: number): boolean {
  try { process.kill(-pgid, 0); return true; } catch { return false; }
}
