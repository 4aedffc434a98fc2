import assert from 'node:assert/strict';
import { coverageOf } from '../../../extension/core/grant-coverage.js';
import { statementLenses } from '../../../extension/core/statement-lenses.js';
import { grant, minutesFromNow, NOW } from './fixtures.js';

describe('CodeLens above SQL statements', () => {
  const active = grant({ id: 'a1b2c3d4-0000-0000-0000-000000000001', statement: 'SELECT id, email FROM employees' });

  it('offers "Run with grant #N · time left" above a statement an active grant covers', () => {
    const [lens] = statementLenses('SELECT id, email FROM employees;', [active], NOW);
    assert.equal(lens.title, 'Run with grant #a1b2c3 · 23m left');
    assert.deepEqual(lens.action, { kind: 'run', grantId: active.id });
  });

  it('offers "Request Data Access" with the statement text above one no grant covers', () => {
    const lenses = statementLenses('SELECT id, email FROM employees;\nSELECT * FROM salaries;', [active], NOW);
    assert.equal(lenses[1].title, 'Request Data Access');
    assert.deepEqual(lenses[1].action, { kind: 'request', statement: 'SELECT * FROM salaries' });
  });

  it('explains that a statement differing only in whitespace is not covered', () => {
    const [lens] = statementLenses('SELECT id,  email\nFROM employees', [active], NOW);
    assert.equal(lens.title, 'Differs from grant #a1b2c3 — use the approved text as-is');
    assert.match(lens.tooltip ?? '', /whitespace/);
    assert.equal(lens.action.kind, 'useApprovedText');
  });

  it('does not let expired, revoked or pending grants cover anything', () => {
    const statement = { text: active.statement };
    assert.equal(coverageOf(statement, [grant({ expireTime: minutesFromNow(-1) })], NOW).kind, 'none');
    assert.equal(coverageOf(statement, [grant({ state: 'REVOKED' })], NOW).kind, 'none');
    assert.equal(coverageOf(statement, [grant({ state: 'PENDING', expireTime: undefined })], NOW).kind, 'none');
  });

  it('accepts a grant whose approved text kept its semicolon', () => {
    assert.equal(coverageOf({ text: 'SELECT 1' }, [grant({ statement: 'SELECT 1;' })], NOW).kind, 'covered');
  });

  it('places each lens on its own statement', () => {
    const sql = '-- note\nSELECT 1;\nSELECT 2;';
    const starts = statementLenses(sql, [], NOW).map((l) => l.statement.start);
    assert.deepEqual(starts, [sql.indexOf('SELECT 1'), sql.indexOf('SELECT 2')]);
  });
});
