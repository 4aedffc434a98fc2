// Export serializers. Each turns a stream of row batches into a stream of bytes without
// holding more than a batch at a time, so an export of a million rows needs no more memory
// than one of a thousand.
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import type { Cell, EngineColumn } from '../engines/engine.js';

import type { ExportFormat } from '../../contract/vocabulary.js';
import { head, rowWriter, tail } from './row-text.js';

export { EXPORT_FORMATS, type ExportFormat } from '../../contract/vocabulary.js';

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
  sql: 'application/sql; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

export interface ExportSource {
  columns: EngineColumn[];
  batches: AsyncIterable<Cell[][]>;
}

/** A text format: its head, each batch's rows as the engines encode them (row-text.ts), its tail. */
function textWriter(format: Exclude<ExportFormat, 'xlsx'>) {
  return async function* (src: ExportSource) {
    const write = rowWriter(format, src.columns);
    let rowCount = 0;
    yield head(format, src.columns);
    for await (const batch of src.batches) {
      let chunk = '';
      for (const row of batch) chunk += write(row, rowCount++ === 0);
      yield chunk;
    }
    yield tail(format, rowCount);
  };
}

async function* xlsx(src: ExportSource) {
  // Loaded on first use: exceljs is the heaviest module of the service, and a restart (after a
  // crash, too) should not wait for it before it serves anyone.
  const { default: ExcelJS } = await import('exceljs');
  const out = new PassThrough();
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: false, useSharedStrings: false });
  const sheet = workbook.addWorksheet('Export');
  sheet.addRow(src.columns.map((c) => c.name)).commit();
  const writing = (async () => {
    for await (const batch of src.batches) {
      for (const row of batch) sheet.addRow(row).commit();
      // Wait for the reader when the zip stream is full, instead of buffering the export.
      if (out.writableNeedDrain) await once(out, 'drain');
    }
    sheet.commit();
    await workbook.commit();
  })();
  writing.catch((err: Error) => out.destroy(err));
  for await (const chunk of out) yield chunk as Buffer;
  await writing;
}

const WRITERS: Record<ExportFormat, (src: ExportSource) => AsyncGenerator<string | Buffer>> = {
  csv: textWriter('csv'),
  json: textWriter('json'),
  ndjson: textWriter('ndjson'),
  sql: textWriter('sql'),
  xlsx,
};

export function serialize(format: ExportFormat, src: ExportSource): AsyncGenerator<string | Buffer> {
  return WRITERS[format](src);
}
