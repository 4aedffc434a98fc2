import type { EngineCursor, EngineResult } from './engine.js';

/** Drains a cursor into one result (the non-streaming `query` of every engine). */
export async function readAll(open: Promise<EngineCursor>): Promise<EngineResult> {
  const cursor = await open;
  try {
    const rows: EngineResult['rows'] = [];
    for await (const batch of cursor.batches()) {
      for (const row of batch) rows.push(row);
    }
    return { columns: cursor.columns, rows, truncated: cursor.truncated };
  } finally {
    await cursor.close();
  }
}
