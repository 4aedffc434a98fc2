// The selection of the grid: an anchor cell and a focus cell, in view positions (after sort
// and filter), spanning the rectangle between them. Keys and clicks move the focus; shift keeps
// the anchor so the rectangle grows.

export interface CellPos {
  row: number;
  col: number;
}

export interface Selection {
  anchor: CellPos;
  focus: CellPos;
}

export interface Range {
  top: number;
  left: number;
  bottom: number;
  right: number;
}

export interface Bounds {
  rows: number;
  cols: number;
  /** Rows a Page Up/Down moves: what fits in the viewport. */
  pageRows: number;
}

export type Move = 'up' | 'down' | 'left' | 'right' | 'pageUp' | 'pageDown' | 'rowStart' | 'rowEnd' | 'first' | 'last';

const clamp = (n: number, max: number) => Math.max(0, Math.min(n, max));

export function selectCell(cell: CellPos): Selection {
  return { anchor: cell, focus: cell };
}

/** Click or shift+click on a cell. */
export function clickCell(current: Selection | undefined, cell: CellPos, extend: boolean): Selection {
  return extend && current ? { anchor: current.anchor, focus: cell } : selectCell(cell);
}

/** Click or shift+click on a row number: whole rows, all columns. */
export function clickRow(current: Selection | undefined, row: number, cols: number, extend: boolean): Selection {
  const last = Math.max(0, cols - 1);
  return extend && current ? { anchor: { row: current.anchor.row, col: 0 }, focus: { row, col: last } } : { anchor: { row, col: 0 }, focus: { row, col: last } };
}

export function selectAll(bounds: Bounds): Selection | undefined {
  if (bounds.rows === 0 || bounds.cols === 0) return undefined;
  return { anchor: { row: 0, col: 0 }, focus: { row: bounds.rows - 1, col: bounds.cols - 1 } };
}

export function moveSelection(current: Selection | undefined, move: Move, extend: boolean, bounds: Bounds): Selection | undefined {
  if (bounds.rows === 0 || bounds.cols === 0) return undefined;
  const maxRow = bounds.rows - 1;
  const maxCol = bounds.cols - 1;
  if (!current) return selectCell({ row: 0, col: 0 });
  const { row, col } = current.focus;
  const page = Math.max(1, bounds.pageRows);
  const next: CellPos = {
    up: { row: row - 1, col },
    down: { row: row + 1, col },
    left: { row, col: col - 1 },
    right: { row, col: col + 1 },
    pageUp: { row: row - page, col },
    pageDown: { row: row + page, col },
    rowStart: { row, col: 0 },
    rowEnd: { row, col: maxCol },
    first: { row: 0, col: extend ? col : 0 },
    last: { row: maxRow, col: extend ? col : maxCol },
  }[move];
  const focus = { row: clamp(next.row, maxRow), col: clamp(next.col, maxCol) };
  return extend ? { anchor: current.anchor, focus } : selectCell(focus);
}

export function rangeOf(selection: Selection): Range {
  const { anchor: a, focus: f } = selection;
  return { top: Math.min(a.row, f.row), bottom: Math.max(a.row, f.row), left: Math.min(a.col, f.col), right: Math.max(a.col, f.col) };
}

export function inRange(range: Range, row: number, col: number): boolean {
  return row >= range.top && row <= range.bottom && col >= range.left && col <= range.right;
}

/** The selection kept within a view that shrank (a filter): undefined if nothing is left. */
export function clampSelection(selection: Selection | undefined, bounds: Bounds): Selection | undefined {
  if (!selection || bounds.rows === 0 || bounds.cols === 0) return undefined;
  const fit = (c: CellPos) => ({ row: clamp(c.row, bounds.rows - 1), col: clamp(c.col, bounds.cols - 1) });
  return { anchor: fit(selection.anchor), focus: fit(selection.focus) };
}
