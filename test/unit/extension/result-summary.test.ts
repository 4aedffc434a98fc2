import assert from 'node:assert/strict';
import type { QueryResult } from '../../../extension/core/api-types.js';
import { grantIdOf, requestIdOf } from '../../../extension/core/command-args.js';
import { resultSummary } from '../../../webview/result-summary.js';

const result = (over: Partial<QueryResult>): QueryResult => ({ columns: [{ name: 'id', type: 'integer', masked: false }], rows: [[1]], rowCount: 1, truncated: false, durationMs: 3.6, ...over });

describe('result summary above the grid', () => {
  it('counts rows and rounds the duration', () => {
    assert.deepEqual(resultSummary(result({})), { rows: '1 row · 4 ms', truncated: undefined, masked: undefined });
    assert.equal(resultSummary(result({ rowCount: 0, rows: [] })).rows, '0 rows · 4 ms');
  });

  it('says when the service cut the result', () => {
    const summary = resultSummary(result({ rows: [[1], [2]], rowCount: 2, truncated: true }));
    assert.equal(summary.truncated, 'Truncated: only the first 2 rows are shown. Export the grant result for all rows.');
    // The grid gets its rows in several messages; the first carries only some of them.
    assert.match(resultSummary(result({ rows: [[1]], rowCount: 5000, truncated: true }), 5000).truncated!, /first 5000 rows/);
  });

  it('names the masked columns and how to see them', () => {
    const summary = resultSummary(result({ columns: [{ name: 'email', type: 'text', masked: true }, { name: 'ssn', type: 'text', masked: true }] }));
    assert.equal(summary.masked, 'Masked columns: email, ssn. Request Unmask to see them in clear.');
  });
});

describe('command arguments', () => {
  it('reads the grant or request id from a tree node, a lens id, or nothing', () => {
    assert.equal(grantIdOf({ grantId: 'g1', requestId: 'r1' }), 'g1');
    assert.equal(requestIdOf({ grantId: 'g1', requestId: 'r1' }), 'r1');
    assert.equal(grantIdOf('g2'), 'g2');
    assert.equal(grantIdOf(undefined), undefined);
    assert.equal(requestIdOf({ label: 'Active' }), undefined);
  });
});
