// Messages between the SQLite engine and its worker processes.
import type { EncodedRows, RowEncoding } from './encoded-rows.js';
import type { Cell, EngineColumn, EngineErrorKind, MaskedColumnRule, StatementReads, TableRead } from './engine.js';

export type ToWorker =
  /**
   * With `encoding`, the worker sends each batch encoded (EncodedRows) instead of cells. The
   * first batch, of at most `max` rows, comes with the columns: a small result takes one round trip.
   */
  | { type: 'open'; name: string; file: string; sql: string; unmask: boolean; masking: MaskedColumnRule[]; encoding?: RowEncoding; max: number }
  | { type: 'reads'; name: string; file: string; sql: string }
  | { type: 'tables'; name: string; file: string }
  /** The next rows of the open statement, at most `max`. */
  | { type: 'next'; max: number }
  | { type: 'close' };

/** `exhausted`: the statement has no rows after these (and is closed). */
export interface WorkerBatch {
  type: 'batch';
  rows: Cell[][] | EncodedRows;
  exhausted: boolean;
}

export type FromWorker =
  | { type: 'ready' }
  | { type: 'columns'; columns: EngineColumn[]; first: WorkerBatch }
  | WorkerBatch
  | { type: 'reads'; reads: StatementReads }
  | { type: 'tables'; tables: TableRead[] }
  /** `table`: the statement names a table the database does not have. */
  | { type: 'error'; kind: EngineErrorKind; message: string; table?: string };
