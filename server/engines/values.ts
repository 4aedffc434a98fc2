// Converts driver values to JSON-safe cells. Numbers that JSON cannot carry exactly (64-bit
// integers, decimals) travel as strings so no digit is lost between the database and the user.
import type { Cell } from './engine.js';

export function toCell(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'bigint':
      return value.toString();
  }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

const SQL_TIMESTAMP = /^(\d{4,}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d+)?)(?:([+-]\d{2})(?::?(\d{2}))?(?::?\d{2})?)?$/;

/**
 * "2024-01-02 03:04:05.123456+00" (a database's text form of a timestamp) → RFC 3339
 * "2024-01-02T03:04:05.123456Z", keeping full precision. A timestamp without a zone is taken
 * as UTC. Text that is not a plain timestamp (infinity, BC dates, zero dates) is returned as is.
 */
export function sqlTimestampToRfc3339(text: string): string {
  const m = SQL_TIMESTAMP.exec(text);
  if (!m) return text;
  const [, date, time, zoneHours, zoneMinutes = '00'] = m;
  if (zoneHours === undefined || (Number(zoneHours) === 0 && zoneMinutes === '00')) return `${date}T${time}Z`;
  return `${date}T${time}${zoneHours}:${zoneMinutes}`;
}
