// Fixed-row-height virtualization: which rows to put in the DOM for a scroll position, and
// where a row must scroll to be seen. Every row has the same height, so this is arithmetic.

export interface Window {
  /** First row index rendered (inclusive). */
  start: number;
  /** Last row index rendered (exclusive). */
  end: number;
}

/** Extra rows above and below the viewport so a fast wheel scroll does not show blank space. */
export const OVERSCAN = 8;

export function visibleWindow(scrollTop: number, viewportHeight: number, rowHeight: number, rowCount: number, overscan = OVERSCAN): Window {
  if (rowCount === 0 || rowHeight <= 0) return { start: 0, end: 0 };
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const shown = Math.ceil(Math.max(0, viewportHeight) / rowHeight) + 1;
  return { start: Math.max(0, first - overscan), end: Math.min(rowCount, first + shown + overscan) };
}

/** The scrollTop that brings `row` fully into view, or undefined if it is already. */
export function scrollToRow(row: number, scrollTop: number, viewportHeight: number, rowHeight: number): number | undefined {
  const top = row * rowHeight;
  if (top < scrollTop) return top;
  if (top + rowHeight > scrollTop + viewportHeight) return top + rowHeight - viewportHeight;
  return undefined;
}

/** Rows a Page Up/Down moves: the rows that fit, less one kept for context. */
export function pageRows(viewportHeight: number, rowHeight: number): number {
  return Math.max(1, Math.floor(viewportHeight / rowHeight) - 1);
}
