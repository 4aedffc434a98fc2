// Time limit and abort handling shared by the engines: whatever the engine is waiting for,
// the caller gets a timeout or abort error on time and the engine is told to stop the work.
import { EngineError } from './engine.js';

export function formatLimit(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

export function timeoutError(ms: number): EngineError {
  return new EngineError('timeout', `statement timed out after ${formatLimit(ms)}`);
}

export function abortedError(): EngineError {
  return new EngineError('aborted', 'statement was aborted');
}

/**
 * Waits for `work`, but rejects with a timeout after `timeoutMs` (when given) or with an abort
 * error when `signal` fires; in both cases `stop` is called once so the engine ends the work.
 */
export function withinLimits<T>(
  work: Promise<T>,
  limits: { timeoutMs?: number; signal?: AbortSignal },
  stop: () => void,
): Promise<T> {
  const { timeoutMs, signal } = limits;
  if (signal?.aborted) {
    stop();
    work.catch(() => undefined);
    return Promise.reject(abortedError());
  }
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const fail = (error: EngineError) =>
      finish(() => {
        stop();
        reject(error);
      });
    const onAbort = () => fail(abortedError());
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => fail(timeoutError(timeoutMs)), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => finish(() => resolve(value)),
      (error: unknown) => finish(() => reject(error)),
    );
  });
}

/**
 * Runs the steps of one statement on a server session: each within the limits; a step that
 * fails releases the session (stopping the statement when the limit hit) and is reported as
 * `mapError` says.
 */
export function sessionSteps(
  limits: { timeoutMs: number; signal?: AbortSignal },
  release: (stop: boolean) => Promise<void>,
  mapError: (error: unknown) => EngineError,
): <T>(work: Promise<T>) => Promise<T> {
  return async (work) => {
    try {
      return await withinLimits(work, limits, () => void release(true));
    } catch (error) {
      await release(false);
      throw mapError(error);
    }
  };
}

/**
 * Waits for a connection (or a free SQLite worker) within the statement's limits: busy sessions
 * must not make a caller wait forever. One that comes too late is discarded.
 */
export function connectWithinLimits<C>(connecting: Promise<C>, limits: { timeoutMs?: number; signal?: AbortSignal }, discard: (connection: C) => void): Promise<C> {
  return withinLimits(connecting, limits, () => void connecting.then(discard, () => undefined));
}
