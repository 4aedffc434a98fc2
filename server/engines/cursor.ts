// The cursor every engine hands out, built from the engine's own "next batch" step, the row
// cap every engine applies to that step, and the non-streaming `query` as a drained cursor.
// A batch is rows of cells, or the same rows already encoded by the engine (encoded-rows.ts).
import type { Cell, EngineColumn, EngineCursor, EngineResult, EncodedCursor, Engine, RunLimits, RunScope } from './engine.js';
import { RowEncoder, type EncodedRows, type RowEncoding } from './encoded-rows.js';

export type Rows = Cell[][] | EncodedRows;

/** How many rows a batch holds. */
export const rowsIn = (rows: Rows | unknown[]) => ('ends' in rows ? rows.ends.length : rows.length);

export interface Batch<B extends Rows = Cell[][]> {
  rows: B;
  /** No batch follows: the statement is exhausted, or `maxRows` was reached. */
  done: boolean;
  /** With `done`: rows were left when `maxRows` was reached. */
  truncated?: boolean;
}

/** Rows an engine read from its statement. */
export interface Taken<B> {
  rows: B;
  /** The statement has no rows after these. */
  exhausted: boolean;
}

/**
 * The row cap: batches of at most `batchSize` rows from `take`, and no more than `maxRows` (at
 * least one) in all. At the cap one row more is asked for, only to tell whether rows were left.
 */
export function cappedBatches<B extends Rows | unknown[]>(maxRows: number, batchSize: number, take: (n: number) => Promise<Taken<B>>): () => Promise<{ rows: B; done: boolean; truncated: boolean }> {
  let left = Math.max(1, maxRows);
  return async () => {
    const { rows, exhausted } = await take(Math.min(batchSize, left));
    left -= rowsIn(rows);
    const truncated = left === 0 && !exhausted && rowsIn((await take(1)).rows) > 0;
    return { rows, done: left === 0 || exhausted, truncated };
  };
}

/** `next` is not called again after a batch with `done`, nor after `close`. */
export function batchCursor<B extends Rows>(columns: EngineColumn[], next: () => Promise<Batch<B>>, close: () => Promise<void>): EngineCursor<B> {
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
    async *batches(): AsyncGenerator<B> {
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
        if (rowsIn(batch.rows) > 0) yield batch.rows;
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

/** The rows of `batch` that fit in `room` bytes, and the bytes they take. */
type Fit<B> = (batch: B, room: number) => { rows: B; bytes: number };

function fitCells(batch: Cell[][], room: number) {
  let bytes = 0;
  let n = 0;
  for (; n < batch.length; n++) {
    const more = rowBytes(batch[n]);
    if (bytes + more > room) break;
    bytes += more;
  }
  return { rows: n === batch.length ? batch : batch.slice(0, n), bytes };
}

function fitEncoded(batch: EncodedRows, room: number) {
  const { bytes, ends } = batch;
  if (bytes.byteLength <= room) return { rows: batch, bytes: bytes.byteLength };
  let n = 0;
  while (n < ends.length && ends[n] <= room) n++;
  const used = n === 0 ? 0 : ends[n - 1];
  return { rows: { bytes: bytes.subarray(0, used), ends: ends.subarray(0, n) }, bytes: used };
}

export interface Drained<B> {
  columns: EngineColumn[];
  batches: B[];
  rowCount: number;
  truncated: boolean;
  truncatedBy?: 'rows' | 'bytes';
}

/**
 * Drains a cursor, up to the row cap and `maxBytes`, whichever comes first: a few wide results
 * at once must not take the service's memory with them.
 */
async function drain<B extends Rows>(open: Promise<EngineCursor<B>>, maxBytes: number, fit: Fit<B>): Promise<Drained<B>> {
  const cursor = await open;
  try {
    const batches: B[] = [];
    let rowCount = 0;
    let room = maxBytes;
    for await (const batch of cursor.batches()) {
      const kept = fit(batch, room);
      const n = rowsIn(kept.rows);
      if (n > 0) batches.push(kept.rows);
      rowCount += n;
      room -= kept.bytes;
      if (n < rowsIn(batch)) return { columns: cursor.columns, batches, rowCount, truncated: true, truncatedBy: 'bytes' };
    }
    return { columns: cursor.columns, batches, rowCount, truncated: cursor.truncated, truncatedBy: cursor.truncated ? 'rows' : undefined };
  } finally {
    await cursor.close();
  }
}

/** One result of cells (the non-streaming `query` of every engine). */
export async function readAll(open: Promise<EngineCursor>, maxBytes = Infinity): Promise<EngineResult & { truncatedBy?: 'rows' | 'bytes' }> {
  const { columns, batches, truncated, truncatedBy } = await drain(open, maxBytes, fitCells);
  return { columns, rows: batches.flat(), truncated, truncatedBy };
}

/** One result as the engine encoded it (a run in the service), cut at a row boundary at `maxBytes`. */
export const readAllEncoded = (open: Promise<EncodedCursor>, maxBytes = Infinity): Promise<Drained<EncodedRows>> => drain(open, maxBytes, fitEncoded);

/**
 * A statement's rows encoded as `encoding` asks: by the engine where it can, next to its
 * driver; otherwise from its cursor's cells, in the service.
 */
export async function openEncoded(engine: Engine, database: string, sql: string, limits: RunLimits, scope: RunScope, encoding: RowEncoding): Promise<EncodedCursor> {
  if (engine.openEncoded) return engine.openEncoded(database, sql, limits, scope, encoding);
  const cursor = await engine.open(database, sql, limits, scope);
  const encoder = new RowEncoder(encoding.format, cursor.columns);
  return {
    columns: cursor.columns,
    get truncated() {
      return cursor.truncated;
    },
    async *batches() {
      for await (const batch of cursor.batches()) yield encoder.encode(batch, (cell) => cell);
    },
    close: () => cursor.close(),
  };
}
