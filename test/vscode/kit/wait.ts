// Tests wait on conditions, never on fixed sleeps. Dependency-free, so the extension-host
// tests (bundled into VS Code) can use it too.

/**
 * Polls `cond` until it returns a truthy value (which is returned) or the time is up.
 * Errors thrown by `cond` count as "not yet" and the last one is reported on timeout.
 */
export async function waitFor<T>(
  cond: () => T | Promise<T>,
  { timeoutMs = 15_000, intervalMs = 200, what = 'condition' }: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await cond();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      const why = last instanceof Error ? `: ${last.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
