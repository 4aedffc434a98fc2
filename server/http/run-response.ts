// A run's result as JSON, around rows the engine already encoded: the rows are not parsed or
// stringified again in the service, only copied once into the response body.
import type { Context, TypedResponse } from 'hono';
import type { z } from '@hono/zod-openapi';
import type { RunResult } from '../domain/data-access.js';
import type { QueryResult } from '../../contract/schemas.js';

export function runResponse(c: Context, result: RunResult) {
  const { columns, rowsJson, rowCount, truncated, durationMs } = result;
  const open = Buffer.from(`${JSON.stringify({ columns }).slice(0, -1)},"rows":[`);
  const close = Buffer.from(`],${JSON.stringify({ rowCount, truncated, durationMs }).slice(1)}`);
  const body = Buffer.concat([open, ...rowsJson, close]);
  // The body is a QueryResult by construction (the encoder writes each row as JSON.stringify
  // would); the typed route cannot see that through bytes.
  return c.body(body, 200, { 'content-type': 'application/json' }) as unknown as TypedResponse<z.infer<typeof QueryResult>, 200, 'json'>;
}
