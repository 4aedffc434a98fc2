// Waiting for something another process or connection does, without guessing how long it takes.

/** Waits until cond holds, checking every stepMs; fails naming `what` after timeoutMs. */
export async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 20_000, stepMs = 20): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
