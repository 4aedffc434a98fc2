// jit-server as a child process (from the sources, through tsx), for the CLI tests.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export function startCli(args: string[]) {
  return spawn(process.execPath, ['--import', 'tsx/esm', 'server/cli.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * Runs the CLI to its end; a service that starts listening instead is stopped at once, with
 * `stopWith` (SIGTERM: a clean stop that exits 0).
 */
export async function runCli(args: string[], stopWith: NodeJS.Signals = 'SIGKILL') {
  const child = startCli(args);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
    if (stdout.includes('"listening"')) child.kill(stopWith);
  });
  child.stderr.on('data', (d) => (stderr += d));
  const [code] = await once(child, 'exit');
  return { code: code as number, stdout, stderr };
}
