// The cursor every engine hands out, built from the engine's own "next batch" step, the row
// cap every engine applies to that step, and the non-streaming `query` as a drained cursor.
import type { Cell, EngineColumn, EngineCursor, EngineResult } from './engine.js';

export interface Batch {
  rows: Cell[][];
  /** No batch follows: the statement is exhausted, or `maxRows` was reached. */
  done: boolean;
  /** With `done`: rows were left when `maxRows` was reached. */
  truncated?: boolean;
}

/** Rows an engine read from its statement. */
export interface Taken<R> {
  rows: R[];
  /** The statement has no rows after these. */
  exhausted: boolean;
}

/**
 * The row cap: batches of at most `batchSize` rows from `take`, and no more than `maxRows` (at
 * least one) in all. At the cap one row more is asked for, only to tell whether rows were left.
 */
export function cappedBatches<R>(maxRows: number, batchSize: number, take: (n: number) => Promise<Taken<R>>): () => Promise<{ rows: R[]; done: boolean; truncated: boolean }> {
  let left = Math.max(1, maxRows);
  return async () => {
    const { rows, exhausted } = await take(Math.min(batchSize, left));
    left -= rows.length;
    const truncated = left === 0 && !exhausted && (await take(1)).rows.length > 0;
    return { rows, done: left === 0 || exhausted, truncated };
  };
}

/** `next` is not called again after a batch with `done`, nor after `close`. */
export function batchCursor(columns: EngineColumn[], next: () => Promise<Batch>, close: () => Promise<void>): EngineCursor {
  let finished = false;
  let truncated = false;
  // A read-ahead still in flight when the caller stops must not surface as an unhandled
  // rejection (a caller that awaits it still sees the error), and close waits for it, so an
  // engine never has a fetch and a close in flight on one session at once.
  let inflight: Promise<unknown> | undefined;
  const fetch = () => {
    const batch = next();
    inflight = batch.catch(() => undefined);
    return batch;
  };
  return {
    columns,
    get truncated() {
      return truncated;
    },
    async *batches(): AsyncGenerator<Cell[][]> {
      // One batch of read-ahead: the engine fetches the next batch while the caller serializes
      // and writes this one, instead of the two taking turns. Memory stays at two batches.
      let pending = finished ? undefined : fetch();
      while (pending) {
        const batch = await pending;
        if (batch.done) {
          finished = true;
          truncated = batch.truncated ?? false;
        }
        pending = finished ? undefined : fetch();
        if (batch.rows.length > 0) yield batch.rows;
      }
    },
    async close() {
      finished = true;
      await inflight;
      await close();
    },
  };
}

/** About what a row costs as JSON, without encoding it: enough to bound a result's memory. */
function rowBytes(row: Cell[]): number {
  let bytes = 2;
  for (const cell of row) bytes += (typeof cell === 'string' ? cell.length + 2 : 8) + 1;
  return bytes;
}

/**
 * Drains a cursor into one result (the non-streaming `query` of every engine, and a run in the
 * service), up to the row cap and `maxBytes`, whichever comes first: a few wide results at once
 * must not take the service's memory with them.
 */
export async function readAll(open: Promise<EngineCursor>, maxBytes = Infinity): Promise<EngineResult & { truncatedBy?: 'rows' | 'bytes' }> {
  const cursor = await open;
  try {
    const rows: EngineResult['rows'] = [];
    let bytes = 0;
    for await (const batch of cursor.batches()) {
      for (const row of batch) {
        bytes += rowBytes(row);
        if (bytes > maxBytes) return { columns: cursor.columns, rows, truncated: true, truncatedBy: 'bytes' };
        rows.push(row);
      }
    }
    return { columns: cursor.columns, rows, truncated: cursor.truncated, truncatedBy: cursor.truncated ? 'rows' : undefined };
  } finally {
    await cursor.close();
  }
}
