// The text of one row in each format that is text: a run's JSON rows and the CSV, NDJSON,
// JSON and SQL exports. The engines encode their batches with it next to the driver, and the
// in-process writers (formats.ts) with the same code, so the two give the same bytes.
import type { Cell, EngineColumn } from '../engines/engine.js';
import type { ExportFormat } from '../../contract/vocabulary.js';

/** `rows`: a run's rows as the items of a JSON array (`[1,"a"],[2,"b"]`); the others are export formats. */
export type RowFormat = 'rows' | Exclude<ExportFormat, 'xlsx'>;

export const isTextFormat = (format: ExportFormat): format is Exclude<ExportFormat, 'xlsx'> => format !== 'xlsx';

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

function csvCell(value: Cell): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvLine = (cells: Cell[]) => `${cells.map(csvCell).join(',')}\r\n`;

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

/**
 * Writes the rows of one result in order: `first` is whether no row of the result was written
 * before this one (JSON separators depend on it).
 */
export type RowWriter = (row: Cell[], first: boolean) => string;

export function rowWriter(format: RowFormat, columns: EngineColumn[]): RowWriter {
  const names = columns.map((c) => c.name);
  switch (format) {
    case 'rows':
      return (row, first) => (first ? JSON.stringify(row) : `,${JSON.stringify(row)}`);
    case 'csv':
      return csvLine;
    case 'ndjson':
      return (row) => `${JSON.stringify(objectOf(names, row))}\n`;
    case 'json':
      return (row, first) => `${first ? '\n' : ',\n'}${JSON.stringify(objectOf(names, row))}`;
    case 'sql': {
      const prefix = `INSERT INTO ${sqlIdent(insertTable(columns))} (${names.map(sqlIdent).join(', ')}) VALUES `;
      return (row) => `${prefix}(${row.map(sqlValue).join(', ')});\n`;
    }
  }
}

/** What comes before the first row of an export. */
export function head(format: RowFormat, columns: EngineColumn[]): string {
  if (format === 'csv') return csvLine(columns.map((c) => c.name));
  return format === 'json' ? '[' : '';
}

/** What comes after the last row of an export. */
export function tail(format: RowFormat, rowCount: number): string {
  if (format !== 'json') return '';
  return rowCount === 0 ? ']\n' : '\n]\n';
}
