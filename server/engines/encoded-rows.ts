// Rows encoded once, next to the driver: each batch leaves the engine as the bytes the client
// receives (row-text.ts), with where each row ends, so the service streams them without
// decoding them again and still cuts a result at a row boundary (the byte cap, cursor.ts).
import type { RowFormat, RowWriter } from '../export/row-text.js';
import { rowWriter } from '../export/row-text.js';
import type { Cell, EngineColumn } from './engine.js';

export interface EncodedRows {
  /** UTF-8 text of the rows, one after the other. */
  bytes: Uint8Array;
  /** Where each row ends in `bytes`; its length is the number of rows. */
  ends: Uint32Array;
}

/** How an engine is asked to encode a statement's rows. */
export interface RowEncoding {
  format: RowFormat;
}

/**
 * Encodes the batches of one result in order. `cell` turns a driver value of column `i` into
 * a cell: the driver's rows are read once, with no intermediate rows of cells.
 */
export class RowEncoder {
  private readonly write: RowWriter;
  private written = 0;
  private scratch = Buffer.allocUnsafe(64 * 1024);

  constructor(format: RowFormat, columns: EngineColumn[]) {
    this.write = rowWriter(format, columns);
  }

  encode<V>(rows: readonly V[][], cell: (value: V, column: number) => Cell): EncodedRows {
    const ends = new Uint32Array(rows.length);
    const cells: Cell[] = [];
    let used = 0;
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r];
      cells.length = row.length;
      for (let i = 0; i < row.length; i++) cells[i] = cell(row[i], i);
      const text = this.write(cells, this.written++ === 0);
      // UTF-8 takes at most 3 bytes per UTF-16 unit.
      if (used + text.length * 3 > this.scratch.length) this.grow(used, used + text.length * 3);
      used += this.scratch.write(text, used, 'utf8');
      ends[r] = used;
    }
    // A copy the caller owns: the scratch buffer is written again by the next batch.
    return { bytes: Uint8Array.prototype.slice.call(this.scratch, 0, used), ends };
  }

  private grow(used: number, needed: number): void {
    const larger = Buffer.allocUnsafe(Math.max(needed, this.scratch.length * 2));
    this.scratch.copy(larger, 0, 0, used);
    this.scratch = larger;
  }
}
