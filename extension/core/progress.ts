// Long calls under the editor's progress notification. A failure is reported only after the
// notification has closed: reporting inside it (an error message waits for the user to
// dismiss it) left "Running…" or "Exporting…" spinning beside the error.
import { ApiError } from './api-errors.js';

/** The editor's cancellation token, as far as it matters here. */
export interface Cancellation {
  onCancellationRequested(listener: () => void): { dispose(): void };
}

/** Shows progress while the task runs and resolves when it ends, the way vscode.window.withProgress does. */
export type ProgressRunner<P, T> = (task: (progress: P, token: Cancellation) => Promise<T>) => PromiseLike<T>;

/**
 * Runs `task` under `runner`'s progress, giving it an AbortSignal that the notification's
 * Cancel button aborts. Resolves with its value, or calls `report` once the progress has ended
 * and resolves undefined. A cancelled task is reported as a CANCELLED ApiError, whatever the
 * aborted call threw.
 */
export async function withProgressThenReport<P, T>(
  runner: ProgressRunner<P, T>,
  task: (progress: P, signal: AbortSignal) => Promise<T>,
  report: (error: unknown) => unknown,
): Promise<T | undefined> {
  const abort = new AbortController();
  try {
    return await runner(async (progress, token) => {
      const cancel = token.onCancellationRequested(() => abort.abort());
      try {
        return await task(progress, abort.signal);
      } finally {
        cancel.dispose();
      }
    });
  } catch (error) {
    // The runner has settled, so its notification is gone by now.
    await report(abort.signal.aborted ? new ApiError('CANCELLED', 'Cancelled.', 0) : error);
    return undefined;
  }
}
