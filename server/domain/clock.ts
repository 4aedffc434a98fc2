// Time is injected so tests move it by hand; the service never reads Date.now() directly.

export interface Clock {
  now(): number;
  /** Calls fn once at (or after) the given epoch milliseconds; returns a cancel function. */
  at(when: number, fn: () => void): () => void;
}

// setTimeout takes at most a signed 32-bit delay; longer waits re-arm.
const MAX_DELAY = 2 ** 31 - 1;

export const systemClock: Clock = {
  now: () => Date.now(),
  at(when, fn) {
    let handle: NodeJS.Timeout;
    const arm = () => {
      const delay = when - Date.now();
      if (delay > MAX_DELAY) {
        handle = setTimeout(arm, MAX_DELAY);
      } else {
        handle = setTimeout(fn, Math.max(0, delay));
      }
      handle.unref();
    };
    arm();
    return () => clearTimeout(handle);
  },
};

export const iso = (ms: number) => new Date(ms).toISOString();
