// Messages between the SQLite engine and its worker threads.
import type { Cell, EngineColumn, EngineErrorKind, MaskedColumnRule } from './engine.js';

export type ToWorker =
  | { type: 'open'; name: string; file: string; sql: string; maxRows: number; batchSize: number; unmask: boolean; masking: MaskedColumnRule[] }
  | { type: 'next' }
  | { type: 'close' };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'columns'; columns: EngineColumn[] }
  | { type: 'batch'; rows: Cell[][]; done: boolean; truncated: boolean }
  | { type: 'error'; kind: EngineErrorKind; message: string };
