import assert from 'node:assert/strict';
import { fieldErrorsFrom, validateAccessForm } from '../../../extension/core/access-form.js';
import { errorFromResponse } from '../../../extension/core/api-errors.js';
import { expirationPresets, expirationProblem } from '../../../extension/core/expiration.js';
import type { AccessForm } from '../../../webview/protocol.js';

const bounds = { minGrantDuration: '1m', maxGrantDuration: '7d' };
const form: AccessForm = { project: 'shop', databases: ['demo/hr'], statement: 'SELECT 1', export: false, unmask: false, duration: '1h', reason: 'incident 42' };

describe('Request Data Access form', () => {
  it('accepts a complete form', () => {
    assert.deepEqual(validateAccessForm(form, bounds), []);
  });

  it('puts each missing piece beside its field', () => {
    const errors = validateAccessForm({ ...form, databases: [], statement: '  ', reason: '', duration: '' }, bounds);
    assert.deepEqual(errors.map((e) => [e.field, e.message]), [
      ['databases', 'Choose at least one database.'],
      ['statement', 'Enter the SELECT statement you need to run.'],
      ['duration', 'Use a number and a unit: 30m, 2h or 3d.'],
      ['reason', 'Say why you need this data; approvers read it.'],
    ]);
  });

  it('places a service parse error on the statement with its line and column', () => {
    const error = errorFromResponse(400, { error: { code: 'INVALID_ARGUMENT', message: 'Only SELECT is allowed', details: { field: 'statement', line: 3, column: 5 } } });
    assert.deepEqual(fieldErrorsFrom(error, 'http://x'), [{ field: 'statement', message: 'Only SELECT is allowed', line: 3, column: 5 }]);
  });

  it('reads the code from the status when the body has none, as the service maps them', () => {
    assert.deepEqual([errorFromResponse(404, undefined).code, errorFromResponse(429, {}).code, errorFromResponse(504, 'gateway timeout').code, errorFromResponse(418, {}).code], ['NOT_FOUND', 'RESOURCE_EXHAUSTED', 'DEADLINE_EXCEEDED', 'INTERNAL']);
  });

  it('shows other refusals at the form level in words a user can act on', () => {
    const error = errorFromResponse(403, { error: { code: 'PERMISSION_DENIED', message: 'not a member of shop' } });
    const [shown] = fieldErrorsFrom(error, 'http://x');
    assert.equal(shown.field, 'form');
    assert.match(shown.message, /not a member of shop/);
  });
});

describe('expiration choices', () => {
  it('offers only presets inside the workspace bounds', () => {
    assert.deepEqual(expirationPresets({ minGrantDuration: '30m', maxGrantDuration: '1d' }), ['1h', '4h', '1d']);
  });

  it('offers the minimum when no preset fits', () => {
    assert.deepEqual(expirationPresets({ minGrantDuration: '5s', maxGrantDuration: '10s' }), ['5s']);
  });

  it('explains a custom value outside the bounds', () => {
    assert.equal(expirationProblem('30s', bounds), 'At least 1m.');
    assert.equal(expirationProblem('8d', bounds), 'At most 7d.');
    assert.equal(expirationProblem('90m', bounds), undefined);
  });
});
