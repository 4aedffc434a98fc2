import assert from 'node:assert/strict';
import { clampSelection, clickCell, clickRow, inRange, moveSelection, rangeOf, selectAll, selectCell, type Bounds } from '../../../webview/grid/selection.js';
import { pageRows, scrollToRow, visibleWindow } from '../../../webview/grid/viewport.js';

const bounds: Bounds = { rows: 100, cols: 5, pageRows: 10 };

describe('grid selection', () => {
  it('moves with arrows and stops at the edges', () => {
    let s = moveSelection(undefined, 'down', false, bounds);
    assert.deepEqual(s, selectCell({ row: 0, col: 0 }));
    s = moveSelection(s, 'up', false, bounds);
    assert.deepEqual(s!.focus, { row: 0, col: 0 });
    s = moveSelection(s, 'right', false, bounds);
    s = moveSelection(s, 'down', false, bounds);
    assert.deepEqual(s, selectCell({ row: 1, col: 1 }));
    s = moveSelection(s, 'rowEnd', false, bounds);
    s = moveSelection(s, 'right', false, bounds);
    assert.deepEqual(s!.focus, { row: 1, col: 4 });
  });

  it('pages by the viewport and jumps to the first and last row', () => {
    let s = moveSelection(selectCell({ row: 5, col: 2 }), 'pageDown', false, bounds);
    assert.deepEqual(s!.focus, { row: 15, col: 2 });
    s = moveSelection(s, 'pageUp', false, bounds);
    s = moveSelection(s, 'pageUp', false, bounds);
    assert.deepEqual(s!.focus, { row: 0, col: 2 });
    assert.deepEqual(moveSelection(s, 'last', false, bounds)!.focus, { row: 99, col: 4 });
    assert.deepEqual(moveSelection(s, 'first', false, bounds)!.focus, { row: 0, col: 0 });
  });

  it('grows a range with shift, keeping the anchor', () => {
    let s = clickCell(undefined, { row: 3, col: 1 }, false);
    s = moveSelection(s, 'down', true, bounds)!;
    s = moveSelection(s, 'right', true, bounds)!;
    assert.deepEqual(rangeOf(s), { top: 3, bottom: 4, left: 1, right: 2 });
    s = clickCell(s, { row: 0, col: 0 }, true);
    assert.deepEqual(rangeOf(s), { top: 0, bottom: 3, left: 0, right: 1 });
    assert.ok(inRange(rangeOf(s), 2, 1));
    assert.ok(!inRange(rangeOf(s), 2, 2));
    s = clickCell(s, { row: 7, col: 3 }, false);
    assert.deepEqual(rangeOf(s), { top: 7, bottom: 7, left: 3, right: 3 });
  });

  it('selects whole rows from the row numbers, and everything', () => {
    let s = clickRow(undefined, 4, 5, false);
    assert.deepEqual(rangeOf(s), { top: 4, bottom: 4, left: 0, right: 4 });
    s = clickRow(s, 2, 5, true);
    assert.deepEqual(rangeOf(s), { top: 2, bottom: 4, left: 0, right: 4 });
    assert.deepEqual(rangeOf(selectAll(bounds)!), { top: 0, bottom: 99, left: 0, right: 4 });
    assert.equal(selectAll({ rows: 0, cols: 5, pageRows: 1 }), undefined);
  });

  it('stays inside a view a filter shrank', () => {
    const s = { anchor: { row: 50, col: 1 }, focus: { row: 80, col: 4 } };
    assert.deepEqual(clampSelection(s, { rows: 10, cols: 5, pageRows: 5 }), { anchor: { row: 9, col: 1 }, focus: { row: 9, col: 4 } });
    assert.equal(clampSelection(s, { rows: 0, cols: 5, pageRows: 5 }), undefined);
  });
});

describe('grid virtualization', () => {
  it('renders only the rows in view plus a margin', () => {
    assert.deepEqual(visibleWindow(0, 220, 22, 100_000, 8), { start: 0, end: 19 });
    assert.deepEqual(visibleWindow(22 * 50_000, 220, 22, 100_000, 8), { start: 49_992, end: 50_019 });
    assert.deepEqual(visibleWindow(22 * 99_995, 220, 22, 100_000, 8), { start: 99_987, end: 100_000 });
    assert.deepEqual(visibleWindow(0, 220, 22, 0), { start: 0, end: 0 });
  });

  it('scrolls a row into view only when it is not', () => {
    assert.equal(scrollToRow(5, 0, 220, 22), undefined);
    assert.equal(scrollToRow(10, 0, 220, 22), 22);
    assert.equal(scrollToRow(2, 100, 220, 22), 44);
    assert.equal(pageRows(220, 22), 9);
  });
});
