// Mutual exclusion for async work inside one process: the lock the audit log, the stores and
// the statement checker each hold while their work awaits, so that work runs one at a time, in
// the order it was asked for.

export interface Serial {
  /** Runs `work` after everything asked for before it has settled; a failure reaches only its caller. */
  run<T>(work: () => Promise<T>): Promise<T>;
  /** Settles once everything asked for so far has settled. */
  idle(): Promise<void>;
}

export function serial(): Serial {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    run(work) {
      const result = tail.then(work);
      tail = result.catch(() => undefined);
      return result;
    },
    async idle() {
      await tail;
    },
  };
}
