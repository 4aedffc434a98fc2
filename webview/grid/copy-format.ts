// Copying a block of the grid as text other tools read: TSV (what spreadsheets paste into
// cells), CSV (RFC 4180), JSON and a Markdown table.
import { isNull, type Cell } from './values.js';

export const COPY_FORMATS = ['tsv', 'csv', 'json', 'markdown'] as const;
export type CopyFormat = (typeof COPY_FORMATS)[number];

export interface CopyBlock {
  headers: string[];
  rows: Cell[][];
}

/** Quoted the way spreadsheets read a pasted cell: only when a tab, line break or quote would split it. */
function tsvCell(value: Cell): string {
  if (isNull(value)) return '';
  const text = String(value);
  return /[\t\r\n"]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** As the service's CSV export writes cells (server/export/formats.ts), so both read alike. */
function csvCell(value: Cell): string {
  if (isNull(value)) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

function markdownCell(value: Cell): string {
  const text = isNull(value) ? 'NULL' : String(value);
  // A pipe ends the cell and a line break the row; backslashes would escape what follows.
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

/** Keys for JSON objects: a repeated column name (SELECT a.id, b.id) gets _2, _3… */
function uniqueKeys(headers: string[]): string[] {
  const seen = new Map<string, number>();
  return headers.map((h) => {
    const n = (seen.get(h) ?? 0) + 1;
    seen.set(h, n);
    let key = n === 1 ? h : `${h}_${n}`;
    while (n > 1 && headers.includes(key)) key = `${key}_${n}`;
    return key;
  });
}

export function formatCopy(block: CopyBlock, format: CopyFormat, withHeaders: boolean): string {
  const { headers, rows } = block;
  switch (format) {
    case 'tsv': {
      const lines = rows.map((r) => r.map(tsvCell).join('\t'));
      return (withHeaders ? [headers.map(tsvCell).join('\t'), ...lines] : lines).join('\n');
    }
    case 'csv': {
      const lines = rows.map((r) => r.map(csvCell).join(','));
      return (withHeaders ? [headers.map(csvCell).join(','), ...lines] : lines).join('\r\n');
    }
    case 'json': {
      const plain = (v: Cell) => (isNull(v) ? null : v);
      if (!withHeaders) return JSON.stringify(rows.map((r) => r.map(plain)), null, 2);
      const keys = uniqueKeys(headers);
      return JSON.stringify(rows.map((r) => Object.fromEntries(keys.map((k, i) => [k, plain(r[i])]))), null, 2);
    }
    case 'markdown': {
      // A Markdown table cannot be without a header row: "without headers" leaves it blank.
      const head = headers.map((h) => (withHeaders ? markdownCell(h) : ' '));
      const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
      return [line(head), line(headers.map(() => '---')), ...rows.map((r) => line(r.map(markdownCell)))].join('\n');
    }
  }
}
