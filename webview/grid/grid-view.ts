// The results grid: a fixed header over a virtual body that holds only the rows in view (a
// pool of row elements re-filled on scroll), so 100,000 rows open as fast as 100. Sorting,
// the filter, the selection and copying work on row indexes; the DOM is only a window on them.
import { h } from '../dom.js';
import type { ResultCell, ResultColumn } from '../protocol.js';
import { formatCopy, type CopyFormat } from './copy-format.js';
import { clampSelection, clickCell, clickRow, inRange, moveSelection, rangeOf, selectAll, type Bounds, type CellPos, type Move, type Selection } from './selection.js';
import { cellText, filterOrder, fullText, isNull, prettyJson, searchText, sortedOrder, type SortSpec } from './values.js';
import { pageRows, scrollToRow, visibleWindow } from './viewport.js';

/** One height for every row: what makes the window arithmetic exact. */
export const ROW_HEIGHT = 22;
const ROW_NUMBER_WIDTH = 64;
const MIN_COLUMN_WIDTH = 48;

export interface GridOptions {
  columns: ResultColumn[];
  rows: ResultCell[][];
  /** Sends text to the clipboard (through the extension host) and describes what was copied. */
  copy(text: string, what: string): void;
  /** Shows a short message next to the toolbar. */
  say(message: string): void;
}

export interface CopyRequest {
  scope: 'cell' | 'selection' | 'rows';
  format: CopyFormat;
  headers: boolean;
}

export class ResultsGrid {
  readonly element: HTMLElement;
  private readonly scroller: HTMLElement;
  private readonly canvas: HTMLElement;
  private readonly headerRow: HTMLElement;
  private readonly detail: HTMLElement;
  private readonly columns: ResultColumn[];
  /** Grows as the rest of the result arrives (append). */
  private readonly rows: ResultCell[][];
  private readonly widths: number[];
  private readonly searchCache: string[] = [];
  private sort?: SortSpec;
  private sortOrder?: number[];
  private filter = '';
  /** View position → row index in the result: the rows left after the filter, in sort order. */
  private view: number[];
  private selection?: Selection;
  private pool: HTMLElement[] = [];
  /** What each pooled element shows: its view position and the render version. */
  private shown = new Map<HTMLElement, string>();
  private version = 0;
  private frame = 0;
  private readonly resizeObserver: ResizeObserver;

  constructor(private readonly options: GridOptions) {
    this.columns = options.columns;
    this.rows = [...options.rows];
    this.view = Array.from({ length: this.rows.length }, (_, i) => i);
    this.widths = initialWidths(this.columns, this.rows);
    this.headerRow = h('div', { class: 'grid-row grid-header', role: 'row', 'aria-rowindex': '1' });
    this.canvas = h('div', { class: 'grid-canvas', role: 'rowgroup' });
    this.scroller = h('div', {
      class: 'grid',
      role: 'grid',
      tabindex: '0',
      'aria-label': 'Result rows',
      'aria-multiselectable': 'true',
      'aria-colcount': String(this.columns.length + 1),
    }, h('div', { class: 'grid-head', role: 'rowgroup' }, this.headerRow), this.canvas);
    this.scroller.style.setProperty('--row-height', `${ROW_HEIGHT}px`);
    this.detail = h('section', { class: 'cell-detail', 'aria-label': 'Cell value', 'aria-live': 'polite' });
    this.element = h('div', { class: 'grid-area' }, this.scroller, this.detail);
    this.buildHeader();
    this.applyWidths();
    this.updateRowCount();
    // Scroll events already come once per frame, before it paints: rendering right away keeps
    // the rows in step with the scroll position instead of a frame behind.
    this.scroller.addEventListener('scroll', () => this.renderNow(), { passive: true });
    this.scroller.addEventListener('keydown', (e) => this.onKey(e));
    this.scroller.addEventListener('mousedown', (e) => this.onMouseDown(e));
    this.scroller.addEventListener('mouseover', (e) => this.onMouseOver(e));
    this.resizeObserver = new ResizeObserver(() => this.schedule());
    this.resizeObserver.observe(this.scroller);
    this.showDetail();
  }

  /** Rows the current view holds (after the filter). */
  get viewRowCount(): number {
    return this.view.length;
  }

  /** Rows received so far. */
  get rowCount(): number {
    return this.rows.length;
  }

  /** More rows of the result arrived: they join the sort and the filter. */
  append(rows: ResultCell[][]): void {
    for (const row of rows) this.rows.push(row);
    if (this.sort) this.sortOrder = sortedOrder(this.rows, this.sort);
    this.rebuildView();
  }

  /** Renders the visible rows now (not on the next frame): the first paint should not wait. */
  renderNow(): void {
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.render();
  }

  dispose(): void {
    cancelAnimationFrame(this.frame);
    this.resizeObserver.disconnect();
  }

  setFilter(query: string): void {
    this.filter = query;
    this.rebuildView();
  }

  sortBy(column: number): void {
    // asc → desc → unsorted, as most grids cycle.
    const current = this.sort?.column === column ? this.sort.direction : undefined;
    this.sort = current === undefined ? { column, direction: 'asc' } : current === 'asc' ? { column, direction: 'desc' } : undefined;
    this.sortOrder = this.sort ? sortedOrder(this.rows, this.sort) : undefined;
    this.buildHeader();
    this.rebuildView();
  }

  copy(request: CopyRequest): void {
    const selection = this.selection;
    if (!selection) {
      this.options.say('Select a cell first.');
      return;
    }
    const range = request.scope === 'cell'
      ? { top: selection.focus.row, bottom: selection.focus.row, left: selection.focus.col, right: selection.focus.col }
      : request.scope === 'rows'
        ? { ...rangeOf(selection), left: 0, right: this.columns.length - 1 }
        : rangeOf(selection);
    const cols = this.columns.slice(range.left, range.right + 1);
    const rows: ResultCell[][] = [];
    for (let r = range.top; r <= range.bottom; r++) rows.push(this.rows[this.view[r]!]!.slice(range.left, range.right + 1));
    const text = formatCopy({ headers: cols.map((c) => c.name), rows }, request.format, request.headers);
    const count = range.bottom - range.top + 1;
    const what = request.scope === 'cell' ? 'the cell' : request.scope === 'rows' ? `${count} ${count === 1 ? 'row' : 'rows'}` : `${count} × ${cols.length} cells`;
    this.options.copy(text, `${what} as ${request.format.toUpperCase()}${request.headers ? ' with headers' : ''}`);
  }

  private rebuildView(): void {
    const order = this.sortOrder ?? Array.from({ length: this.rows.length }, (_, i) => i);
    this.view = filterOrder(order, this.filter, (i) => (this.searchCache[i] ??= searchText(this.rows[i]!)));
    this.selection = clampSelection(this.selection, this.bounds());
    this.updateRowCount();
    this.showDetail();
    this.invalidate();
  }

  private updateRowCount(): void {
    this.scroller.setAttribute('aria-rowcount', String(this.view.length + 1));
    this.canvas.style.height = `${this.view.length * ROW_HEIGHT}px`;
  }

  private bounds(): Bounds {
    return { rows: this.view.length, cols: this.columns.length, pageRows: pageRows(this.bodyHeight(), ROW_HEIGHT) };
  }

  private bodyHeight(): number {
    return Math.max(ROW_HEIGHT, this.scroller.clientHeight - ROW_HEIGHT);
  }

  private invalidate(): void {
    this.version++;
    this.schedule();
  }

  private schedule(): void {
    if (!this.frame) this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  private render(): void {
    const { start, end } = visibleWindow(this.scroller.scrollTop, this.bodyHeight(), ROW_HEIGHT, this.view.length);
    const needed = end - start;
    while (this.pool.length < needed) {
      const row = this.newRow();
      this.pool.push(row);
      this.canvas.append(row);
    }
    // A pooled element keeps serving the same view position modulo the pool size, so a
    // one-row scroll refills one element instead of all of them.
    const range = this.selection ? rangeOf(this.selection) : undefined;
    for (let k = 0; k < this.pool.length; k++) {
      const el = this.pool[k]!;
      const first = start + ((k - (start % this.pool.length) + this.pool.length) % this.pool.length);
      if (first >= end) {
        el.hidden = true;
        this.shown.delete(el);
        continue;
      }
      el.hidden = false;
      const key = `${first}:${this.version}`;
      if (this.shown.get(el) === key) continue;
      this.shown.set(el, key);
      this.fillRow(el, first, range);
    }
  }

  private newRow(): HTMLElement {
    const cells = [h('div', { class: 'row-number', role: 'rowheader' })];
    for (let c = 0; c < this.columns.length; c++) cells.push(h('div', { role: 'gridcell', 'aria-colindex': String(c + 2) }));
    return h('div', { class: 'grid-row', role: 'row' }, ...cells);
  }

  private fillRow(el: HTMLElement, position: number, range: ReturnType<typeof rangeOf> | undefined): void {
    const data = this.rows[this.view[position]!]!;
    el.style.transform = `translateY(${position * ROW_HEIGHT}px)`;
    el.setAttribute('aria-rowindex', String(position + 2));
    el.dataset.row = String(position);
    const rowSelected = range !== undefined && position >= range.top && position <= range.bottom && range.left === 0 && range.right === this.columns.length - 1;
    el.classList.toggle('row-selected', rowSelected);
    const cells = el.children;
    (cells[0] as HTMLElement).textContent = String(position + 1);
    const focus = this.selection?.focus;
    for (let c = 0; c < this.columns.length; c++) {
      const cell = cells[c + 1] as HTMLElement;
      const value = data[c];
      const text = cellText(value);
      cell.textContent = text;
      const full = fullText(value);
      if (full !== text) cell.title = full.length > 4000 ? `${full.slice(0, 4000)}…` : full;
      else cell.removeAttribute('title');
      const selected = range !== undefined && inRange(range, position, c);
      const active = focus?.row === position && focus.col === c;
      cell.className = `cell${isNull(value) ? ' null' : ''}${this.columns[c]!.masked ? ' masked' : ''}${typeof value === 'number' ? ' number' : ''}${selected ? ' selected' : ''}${active ? ' active' : ''}`;
      cell.setAttribute('aria-selected', String(selected));
      if (active) cell.id = 'grid-active-cell';
      else if (cell.id) cell.removeAttribute('id');
    }
  }

  private buildHeader(): void {
    const cells: HTMLElement[] = [h('div', { class: 'row-number', role: 'columnheader', 'aria-colindex': '1' }, '#')];
    this.columns.forEach((column, c) => {
      const sorted = this.sort?.column === c ? this.sort.direction : undefined;
      const title = `${column.name} · ${column.type || 'unknown type'}${column.masked ? ' · masked' : ''} — click to sort`;
      const handle = h('span', { class: 'resize-handle', 'aria-hidden': 'true' });
      const header = h(
        'div',
        { class: `column-header${column.masked ? ' masked' : ''}`, role: 'columnheader', 'aria-colindex': String(c + 2), 'aria-sort': sorted ? `${sorted}ending` : 'none', title },
        h('span', { class: 'column-name' }, column.name),
        column.masked ? h('span', { class: 'masked-badge' }, 'masked') : undefined,
        sorted ? h('span', { class: 'sort-mark', 'aria-hidden': 'true' }, sorted === 'asc' ? '▲' : '▼') : undefined,
        handle,
      );
      header.addEventListener('click', (e) => {
        if (e.target !== handle) this.sortBy(c);
      });
      handle.addEventListener('pointerdown', (e) => this.startResize(e, c, handle));
      cells.push(header);
    });
    this.headerRow.replaceChildren(...cells);
  }

  private startResize(event: PointerEvent, column: number, handle: HTMLElement): void {
    event.preventDefault();
    event.stopPropagation();
    const startX = event.clientX;
    const startWidth = this.widths[column]!;
    handle.setPointerCapture(event.pointerId);
    const move = (e: PointerEvent) => {
      this.widths[column] = Math.max(MIN_COLUMN_WIDTH, Math.round(startWidth + e.clientX - startX));
      this.applyWidths();
    };
    const stop = () => {
      handle.removeEventListener('pointermove', move);
      handle.removeEventListener('pointerup', stop);
      handle.removeEventListener('pointercancel', stop);
    };
    handle.addEventListener('pointermove', move);
    handle.addEventListener('pointerup', stop);
    handle.addEventListener('pointercancel', stop);
  }

  private applyWidths(): void {
    const template = [ROW_NUMBER_WIDTH, ...this.widths].map((w) => `${w}px`).join(' ');
    this.scroller.style.setProperty('--grid-columns', template);
    this.scroller.style.setProperty('--grid-width', `${ROW_NUMBER_WIDTH + this.widths.reduce((a, b) => a + b, 0)}px`);
  }

  private cellAt(target: EventTarget | null): CellPos | { row: number; col: -1 } | undefined {
    const cell = (target as HTMLElement | null)?.closest?.('[role="gridcell"], [role="rowheader"]');
    const row = cell?.parentElement?.dataset.row;
    if (!cell || row === undefined) return undefined;
    const col = cell.getAttribute('role') === 'rowheader' ? -1 : Number(cell.getAttribute('aria-colindex')) - 2;
    return { row: Number(row), col };
  }

  private onMouseDown(event: MouseEvent): void {
    if (event.button !== 0) return;
    const at = this.cellAt(event.target);
    if (!at) return;
    this.scroller.focus({ preventScroll: true });
    this.select(at.col < 0 ? clickRow(this.selection, at.row, this.columns.length, event.shiftKey) : clickCell(this.selection, at, event.shiftKey), false);
    event.preventDefault();
  }

  /** Dragging with the button held grows the selection. */
  private onMouseOver(event: MouseEvent): void {
    if (!(event.buttons & 1) || !this.selection) return;
    const at = this.cellAt(event.target);
    if (!at || at.col < 0) return;
    this.select({ anchor: this.selection.anchor, focus: at }, false);
  }

  private onKey(event: KeyboardEvent): void {
    const mod = event.ctrlKey || event.metaKey;
    if (mod && event.key.toLowerCase() === 'c') {
      event.preventDefault();
      this.copy({ scope: 'selection', format: 'tsv', headers: false });
      return;
    }
    if (mod && event.key.toLowerCase() === 'a') {
      event.preventDefault();
      this.select(selectAll(this.bounds()), false);
      return;
    }
    const moves: Record<string, Move> = {
      ArrowUp: 'up', ArrowDown: 'down', ArrowLeft: 'left', ArrowRight: 'right', PageUp: 'pageUp', PageDown: 'pageDown',
      Home: mod ? 'first' : 'rowStart', End: mod ? 'last' : 'rowEnd',
    };
    const move = moves[event.key];
    if (!move) return;
    event.preventDefault();
    this.select(moveSelection(this.selection, move, event.shiftKey, this.bounds()), true);
  }

  private select(selection: Selection | undefined, reveal: boolean): void {
    this.selection = selection;
    if (selection && reveal) {
      const top = scrollToRow(selection.focus.row, this.scroller.scrollTop, this.bodyHeight(), ROW_HEIGHT);
      if (top !== undefined) this.scroller.scrollTop = top;
      this.revealColumn(selection.focus.col);
    }
    this.showDetail();
    this.version++;
    this.renderNow();
    if (selection) this.scroller.setAttribute('aria-activedescendant', 'grid-active-cell');
    else this.scroller.removeAttribute('aria-activedescendant');
  }

  private revealColumn(col: number): void {
    const left = ROW_NUMBER_WIDTH + this.widths.slice(0, col).reduce((a, b) => a + b, 0);
    const right = left + this.widths[col]!;
    const view = this.scroller.clientWidth;
    // The row numbers stay pinned on the left and cover what scrolls under them.
    if (left - ROW_NUMBER_WIDTH < this.scroller.scrollLeft) this.scroller.scrollLeft = left - ROW_NUMBER_WIDTH;
    else if (right > this.scroller.scrollLeft + view) this.scroller.scrollLeft = right - view;
  }

  private showDetail(): void {
    const focus = this.selection?.focus;
    if (!focus) {
      this.detail.replaceChildren(h('p', { class: 'detail-hint' }, 'Select a cell to see its full value here. Arrows move, Shift extends, Ctrl+C copies.'));
      return;
    }
    const column = this.columns[focus.col]!;
    const value = this.rows[this.view[focus.row]!]![focus.col];
    const json = prettyJson(value);
    this.detail.replaceChildren(
      h('p', { class: 'detail-head' }, h('strong', {}, column.name), ` · ${column.type || 'unknown type'} · row ${focus.row + 1}`, column.masked ? h('span', { class: 'masked-badge' }, 'masked') : undefined),
      isNull(value)
        ? h('p', { class: 'null' }, 'NULL')
        : h('pre', { class: `detail-value${json ? ' json' : ''}${column.masked ? ' masked' : ''}` }, json ?? fullText(value)),
    );
  }
}

/**
 * Widths from the header and the first rows' text. 8.5 px a character: the editor's monospace
 * font at its default 14 px (7.5 cut "Ben Brooks" in the UI test's screenshot).
 */
function initialWidths(columns: ResultColumn[], rows: ResultCell[][]): number[] {
  const charWidth = 8.5;
  const sample = rows.slice(0, 100);
  return columns.map((column, c) => {
    let chars = column.name.length + (column.masked ? 8 : 0) + 2;
    for (const row of sample) chars = Math.max(chars, Math.min(cellText(row[c]).length, 48));
    return Math.max(MIN_COLUMN_WIDTH * 1.5, Math.round(chars * charWidth + 20));
  });
}
