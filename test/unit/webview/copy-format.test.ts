import assert from 'node:assert/strict';
import { formatCopy, type CopyBlock } from '../../../webview/grid/copy-format.js';

const block: CopyBlock = {
  headers: ['id', 'note'],
  rows: [
    [1, 'plain'],
    [2, 'tab\there, "quoted"'],
    [3, null],
    [4, 'a|b\nline, two'],
  ],
};

describe('copying grid cells', () => {
  it('TSV quotes only cells a spreadsheet would split, NULL as an empty cell', () => {
    assert.equal(formatCopy(block, 'tsv', true), 'id\tnote\n1\tplain\n2\t"tab\there, ""quoted"""\n3\t\n4\t"a|b\nline, two"');
    assert.equal(formatCopy({ headers: ['x'], rows: [['v']] }, 'tsv', false), 'v');
  });

  it('CSV follows RFC 4180 with CRLF line ends', () => {
    assert.equal(formatCopy(block, 'csv', false), '1,plain\r\n2,"tab\there, ""quoted"""\r\n3,\r\n4,"a|b\nline, two"');
    assert.equal(formatCopy({ headers: ['a,b'], rows: [[' padded']] }, 'csv', true), '"a,b"\r\n" padded"');
  });

  it('JSON gives objects with headers, arrays without, and keeps repeated names apart', () => {
    assert.deepEqual(JSON.parse(formatCopy(block, 'json', true))[2], { id: 3, note: null });
    assert.deepEqual(JSON.parse(formatCopy(block, 'json', false))[0], [1, 'plain']);
    assert.deepEqual(JSON.parse(formatCopy({ headers: ['id', 'id', 'id_2'], rows: [[1, 2, 3]] }, 'json', true)), [{ id: 1, id_2_2: 2, id_2: 3 }]);
  });

  it('Markdown escapes pipes and backslashes and turns line breaks into <br>', () => {
    assert.equal(formatCopy({ headers: ['a|b'], rows: [['x|y\\z'], [null], ['l1\nl2']] }, 'markdown', true), '| a\\|b |\n| --- |\n| x\\|y\\\\z |\n| NULL |\n| l1<br>l2 |');
    assert.equal(formatCopy({ headers: ['a', 'b'], rows: [[1, 2]] }, 'markdown', false), '|   |   |\n| --- | --- |\n| 1 | 2 |');
  });
});
