import assert from 'node:assert/strict';
import { cellText, columnKind, filterOrder, fullText, prettyJson, searchText, sortedOrder, CELL_TEXT_LIMIT, type Cell } from '../../../webview/grid/values.js';

const column = (values: Cell[]) => values.map((v) => [v]);
const sortedValues = (values: Cell[], direction: 'asc' | 'desc') => sortedOrder(column(values), { column: 0, direction }).map((i) => values[i]);

describe('grid cell values', () => {
  it('shows NULL, cuts long values and keeps one line per cell', () => {
    assert.equal(fullText(null), 'NULL');
    assert.equal(cellText('a\nb\r\nc'), 'a⏎b⏎c');
    const long = 'x'.repeat(CELL_TEXT_LIMIT + 50);
    assert.equal(cellText(long), `${'x'.repeat(CELL_TEXT_LIMIT)}…`);
    assert.equal(fullText(long), long);
  });

  it('pretty-prints JSON documents only', () => {
    assert.equal(prettyJson('{"a":[1,2]}'), '{\n  "a": [\n    1,\n    2\n  ]\n}');
    assert.equal(prettyJson(' [1] '), '[\n  1\n]');
    assert.equal(prettyJson('42'), undefined);
    assert.equal(prettyJson('{not json}'), undefined);
    assert.equal(prettyJson(null), undefined);
  });
});

describe('grid column kinds', () => {
  it('treats numeric strings (bigint, decimal) as numbers and ISO text as dates', () => {
    assert.equal(columnKind([1, '2', null, '-3.5e2']), 'number');
    assert.equal(columnKind(['2024-01-02', '2023-12-31 23:59:59', '2024-01-02T10:00:00.5Z', null]), 'date');
    assert.equal(columnKind(['2024-13-45']), 'text');
    assert.equal(columnKind(['10', 'ten']), 'text');
    assert.equal(columnKind([null, null]), 'text');
    assert.equal(columnKind([true, false]), 'text');
  });
});

describe('grid sorting', () => {
  it('compares numbers as numbers, NULLs last both ways', () => {
    assert.deepEqual(sortedValues(['10', null, '9', '100', '-1'], 'asc'), ['-1', '9', '10', '100', null]);
    assert.deepEqual(sortedValues(['10', null, '9', '100', '-1'], 'desc'), ['100', '10', '9', '-1', null]);
  });

  it('compares dates as instants', () => {
    assert.deepEqual(sortedValues(['2024-02-01', '2023-12-31 23:00:00', null, '2024-01-15T00:00:00Z'], 'asc'), ['2023-12-31 23:00:00', '2024-01-15T00:00:00Z', '2024-02-01', null]);
  });

  it('compares text ignoring case, and keeps ties in order', () => {
    assert.deepEqual(sortedValues(['b', 'B2', 'A', 'c', 'a'], 'asc'), ['A', 'a', 'b', 'B2', 'c']);
    assert.deepEqual(sortedValues(['b', 'B2', 'A', 'c', 'a'], 'desc'), ['c', 'B2', 'b', 'A', 'a']);
    const rows = [['x', 1], ['y', 2], ['x', 3]] as Cell[][];
    assert.deepEqual(sortedOrder(rows, { column: 0, direction: 'asc' }), [0, 2, 1]);
    assert.deepEqual(sortedOrder(rows, { column: 0, direction: 'desc' }), [1, 0, 2]);
  });
});

describe('grid filter', () => {
  const rows: Cell[][] = [[1, 'Ann Archer'], [2, null], [3, 'Cleo Chen']];
  const text = (i: number) => searchText(rows[i]!);

  it('keeps rows with any cell containing the text, ignoring case, in view order', () => {
    assert.deepEqual(filterOrder([2, 1, 0], 'CHE', text), [2, 0]);
    assert.deepEqual(filterOrder([0, 1, 2], '3', text), [2]);
    assert.deepEqual(filterOrder([0, 1, 2], 'null', text), [1]);
    assert.deepEqual(filterOrder([0, 1, 2], '  ', text), [0, 1, 2]);
  });

  it('does not match across two cells', () => {
    assert.deepEqual(filterOrder([0, 1, 2], '1ann', text), []);
  });
});
