// MySQL/MariaDB column types as names, and values as JSON-safe cells. The connection returns
// BIGINT and DECIMAL as strings and dates as the server's text (session time zone UTC).
import type { FieldPacket } from 'mysql2';
import type { Cell } from './engine.js';
import { sqlTimestampToRfc3339, toCell } from './values.js';

const BINARY_CHARSET = 63;

const NAMES: Record<number, string | [text: string, binary: string]> = {
  0x00: 'decimal',
  0x01: 'tinyint',
  0x02: 'smallint',
  0x03: 'int',
  0x04: 'float',
  0x05: 'double',
  0x06: 'null',
  0x07: 'timestamp',
  0x08: 'bigint',
  0x09: 'mediumint',
  0x0a: 'date',
  0x0b: 'time',
  0x0c: 'datetime',
  0x0d: 'year',
  0x0f: ['varchar', 'varbinary'],
  0x10: 'bit',
  0xf5: 'json',
  0xf6: 'decimal',
  0xf7: 'enum',
  0xf8: 'set',
  0xf9: ['text', 'blob'],
  0xfa: ['text', 'blob'],
  0xfb: ['text', 'blob'],
  0xfc: ['text', 'blob'],
  0xfd: ['varchar', 'varbinary'],
  0xfe: ['char', 'binary'],
  0xff: 'geometry',
};

const TIMESTAMPS = new Set([0x07, 0x0c]);

export function mysqlTypeName(field: FieldPacket): string {
  const name = NAMES[field.columnType ?? -1];
  if (name === undefined) return '';
  return typeof name === 'string' ? name : name[field.characterSet === BINARY_CHARSET ? 1 : 0];
}

/** Converts the value of column `i`; `timestamps[i]` marks DATETIME/TIMESTAMP columns. */
export const mysqlCell =
  (timestamps: boolean[]) =>
  (v: unknown, i: number): Cell =>
    timestamps[i] && typeof v === 'string' ? sqlTimestampToRfc3339(v) : toCell(v);

export function timestampColumns(fields: FieldPacket[]): boolean[] {
  return fields.map((f) => TIMESTAMPS.has(f.columnType ?? -1));
}
