// What one durable append costs on this disk: the floor under every audited call, since the
// contract wants the audit line on disk before the caller sees the result.
import { closeSync, fsyncSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { summarize, type Summary } from './stats.js';

export function fsyncCost(dir: string, samples: number): Summary {
  const file = join(dir, 'fsync-probe.jsonl');
  const fd = openSync(file, 'a');
  const line = `${JSON.stringify({ probe: 'x'.repeat(300) })}\n`;
  const times: number[] = [];
  try {
    for (let i = 0; i < samples; i++) {
      const start = performance.now();
      writeSync(fd, line);
      fsyncSync(fd);
      times.push(performance.now() - start);
    }
  } finally {
    closeSync(fd);
    rmSync(file, { force: true });
  }
  return summarize(times);
}
