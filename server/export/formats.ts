// Export serializers. Each turns a stream of row batches into a stream of bytes without
// holding more than a batch at a time, so an export of a million rows needs no more memory
// than one of a thousand.
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import type { Cell, EngineColumn } from '../engines/engine.js';

import type { ExportFormat } from '../../contract/vocabulary.js';

export { EXPORT_FORMATS, type ExportFormat } from '../../contract/vocabulary.js';

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
  sql: 'application/sql; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** The table an SQL export inserts into when its rows do not all come from one table. */
export const FALLBACK_TABLE = 'result';

/**
 * The table of the SQL export's INSERTs: the one base table every result column is a plain
 * copy of, by the driver's lineage; otherwise (a join, a computed or masked column) FALLBACK_TABLE.
 */
export function insertTable(columns: EngineColumn[]): string {
  const sources = new Set(columns.map((c) => (c.source ? JSON.stringify([c.source.schema, c.source.table]) : null)));
  const only = columns[0]?.source;
  return sources.size === 1 && only ? only.table : FALLBACK_TABLE;
}

export interface ExportSource {
  columns: string[];
  batches: AsyncIterable<Cell[][]>;
  /** Table name for INSERT statements. */
  table: string;
}

function csvCell(value: Cell): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

const csvLine = (cells: Cell[]) => `${cells.map(csvCell).join(',')}\r\n`;

function objectOf(columns: string[], row: Cell[]): Record<string, Cell> {
  const out: Record<string, Cell> = {};
  columns.forEach((c, i) => (out[c] = row[i]));
  return out;
}

const sqlIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
function sqlValue(value: Cell): string {
  if (value === null) return 'NULL';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  return `'${value.replace(/'/g, "''")}'`;
}

async function* csv(src: ExportSource) {
  yield csvLine(src.columns);
  for await (const batch of src.batches) yield batch.map(csvLine).join('');
}

async function* ndjson(src: ExportSource) {
  for await (const batch of src.batches) yield batch.map((r) => `${JSON.stringify(objectOf(src.columns, r))}\n`).join('');
}

async function* json(src: ExportSource) {
  let first = true;
  yield '[';
  for await (const batch of src.batches) {
    let chunk = '';
    for (const row of batch) {
      chunk += `${first ? '\n' : ',\n'}${JSON.stringify(objectOf(src.columns, row))}`;
      first = false;
    }
    yield chunk;
  }
  yield first ? ']\n' : '\n]\n';
}

async function* sql(src: ExportSource) {
  const prefix = `INSERT INTO ${sqlIdent(src.table)} (${src.columns.map(sqlIdent).join(', ')}) VALUES `;
  for await (const batch of src.batches) yield batch.map((r) => `${prefix}(${r.map(sqlValue).join(', ')});\n`).join('');
}

async function* xlsx(src: ExportSource) {
  // Loaded on first use: exceljs is the heaviest module of the service, and a restart (after a
  // crash, too) should not wait for it before it serves anyone.
  const { default: ExcelJS } = await import('exceljs');
  const out = new PassThrough();
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: false, useSharedStrings: false });
  const sheet = workbook.addWorksheet('Export');
  sheet.addRow(src.columns).commit();
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

const WRITERS: Record<ExportFormat, (src: ExportSource) => AsyncGenerator<string | Buffer>> = { csv, json, ndjson, sql, xlsx };

export function serialize(format: ExportFormat, src: ExportSource): AsyncGenerator<string | Buffer> {
  return WRITERS[format](src);
}
