import assert from 'node:assert/strict';
import { ApiError } from '../../../extension/core/api-errors.js';
import { withProgressThenReport, type ProgressRunner } from '../../../extension/core/progress.js';

/** A progress notification that records whether it is showing, with a Cancel button. */
function notification<T>() {
  const shown = { open: false, cancel: () => {} };
  const runner: ProgressRunner<void, T> = async (task) => {
    shown.open = true;
    try {
      return await task(undefined, { onCancellationRequested: (listener) => ((shown.cancel = listener), { dispose: () => (shown.cancel = () => {}) }) });
    } finally {
      shown.open = false;
    }
  };
  return { shown, runner };
}

describe('progress, then the error', () => {
  it('closes "Running…" before the failure is reported (it stayed up beside the error)', async () => {
    const { shown, runner } = notification<string>();
    const reports: boolean[] = [];
    const result = await withProgressThenReport(runner, async () => {
      throw new ApiError('FAILED_PRECONDITION', 'Grant 1 is expired', 409);
    }, () => reports.push(shown.open));
    assert.equal(result, undefined);
    assert.deepEqual(reports, [false], 'reported once, with the notification closed');
  });

  it('resolves with the value and reports nothing when the task succeeds', async () => {
    const { runner } = notification<string>();
    assert.equal(await withProgressThenReport(runner, async () => 'done', () => assert.fail('nothing to report')), 'done');
  });

  it('aborts the task on Cancel and reports it as cancelled, whatever the aborted call threw', async () => {
    const { shown, runner } = notification<string>();
    let reported: unknown;
    await withProgressThenReport(runner, (_progress, signal) => new Promise<string>((_resolve, reject) => {
      signal.addEventListener('abort', () => reject(new Error('The operation was aborted')));
      shown.cancel();
    }), (error) => (reported = error));
    assert.ok(reported instanceof ApiError && reported.code === 'CANCELLED', String(reported));
  });
});
