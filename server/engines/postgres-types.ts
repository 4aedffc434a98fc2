// How PostgreSQL's text values become JSON-safe cells. Anything not listed stays the server's
// own text (int8 and numeric keep every digit; intervals, arrays, uuids read as PostgreSQL
// writes them); the session runs with TimeZone UTC and bytea_output hex.
import type { CustomTypesConfig } from 'pg';
import { sqlTimestampToRfc3339 } from './values.js';

const BOOL = 16;
const BYTEA = 17;
const NUMBERS = new Set([21, 23, 26, 700, 701]); // int2, int4, oid, float4, float8
const TIMESTAMPS = new Set([1114, 1184]); // timestamp, timestamptz

const asText = (text: string) => text;

function parserFor(oid: number): (text: string) => unknown {
  if (oid === BOOL) return (text) => text === 't';
  if (NUMBERS.has(oid)) return Number;
  if (TIMESTAMPS.has(oid)) return sqlTimestampToRfc3339;
  if (oid === BYTEA) return (text) => (text.startsWith('\\x') ? Buffer.from(text.slice(2), 'hex') : text);
  return asText;
}

export const pgTypes: CustomTypesConfig = {
  getTypeParser: ((oid: number) => parserFor(oid)) as CustomTypesConfig['getTypeParser'],
};
