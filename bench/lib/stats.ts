// Latency samples and their summaries. Everything is in milliseconds.

export interface Summary {
  n: number;
  p50: number;
  p99: number;
  mean: number;
  min: number;
  max: number;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export const median = (samples: number[]) => percentile([...samples].sort((a, b) => a - b), 50);

export function summarize(samples: number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    mean: sorted.length ? sum / sorted.length : NaN,
    min: sorted[0] ?? NaN,
    max: sorted[sorted.length - 1] ?? NaN,
  };
}

export async function timed(fn: () => unknown): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/**
 * Runs the contenders in turn, one sample each per round, so a noisy neighbour slows them
 * alike and their ratio stays meaningful on a shared machine. Warm-up rounds are dropped.
 */
export async function interleave<K extends string>(
  contenders: Record<K, () => unknown>,
  rounds: { warmup: number; measured: number },
): Promise<Record<K, number[]>> {
  const names = Object.keys(contenders) as K[];
  const samples = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<K, number[]>;
  for (let round = 0; round < rounds.warmup + rounds.measured; round++) {
    for (const name of names) {
      const ms = await timed(contenders[name]);
      if (round >= rounds.warmup) samples[name].push(ms);
    }
  }
  return samples;
}
