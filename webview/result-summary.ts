// The sentences above a result grid.
import type { QueryResult } from '../contract/index.js';

export interface ResultSummary {
  /** "3 rows · 12 ms" */
  rows: string;
  /** Set when the service cut the result at its row limit. */
  truncated?: string;
  /** Set when some columns came back masked. */
  masked?: string;
}

/** `shownRows`: rows the grid gets in all, when `result` carries only the first of them. */
export function resultSummary(result: QueryResult, shownRows = result.rows.length): ResultSummary {
  const rows = `${result.rowCount} ${result.rowCount === 1 ? 'row' : 'rows'} · ${Math.round(result.durationMs)} ms`;
  const masked = result.columns.filter((c) => c.masked).map((c) => c.name);
  return {
    rows,
    truncated: result.truncated ? `Truncated: only the first ${shownRows} rows are shown. Export the grant result for all rows.` : undefined,
    masked: masked.length > 0 ? `Masked columns: ${masked.join(', ')}. Request Unmask to see them in clear.` : undefined,
  };
}
