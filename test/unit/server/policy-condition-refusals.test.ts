// How a condition that cannot be saved is refused when the CEL library's error is not one of
// its own: no summary, no position (the checker overflowing the stack on deep nesting, which
// its maxDepth limit does not count for unary operators), or thrown instead of reported.
// The admin still gets a one-line refusal, never a 500, and the next condition is checked as usual.
import assert from 'node:assert/strict';
import { Environment } from '@marcbachmann/cel-js';
import { checkCondition } from '../../../server/policy/cel.js';

describe('CEL conditions: refusals the library does not shape', () => {
  it('a condition nested too deeply for the checker is refused with the error\'s first line and no position', () => {
    assert.deepEqual(checkCondition('REQUEST_ACCESS', `${'!'.repeat(100_000)}true`), { message: 'Maximum call stack size exceeded' });
    assert.equal(checkCondition('REQUEST_ACCESS', '!!request.unmask'), undefined, 'the checker still works afterwards');
  });

  it('the limits on a condition\'s size are refusals with a position', () => {
    const list = (n: number) => `request.statement in [${Array.from({ length: n }, (_, i) => `"t${i}"`).join(', ')}]`;
    assert.equal(checkCondition('REQUEST_ACCESS', list(200)), undefined);
    assert.deepEqual(checkCondition('REQUEST_ACCESS', list(201)), { message: 'Exceeded maxListElements (200)', line: 1, column: list(201).indexOf('"t200"') + 1 });
    assert.deepEqual(checkCondition('REQUEST_ACCESS', `${'('.repeat(51)}true${')'.repeat(51)}`), { message: 'Exceeded maxDepth (50)', line: 1, column: 51 });
  });

  it('a library that throws instead of reporting still gives a refusal, its message\'s first line', () => {
    const check = Object.getOwnPropertyDescriptor(Environment.prototype, 'check')!;
    Object.defineProperty(Environment.prototype, 'check', {
      ...check,
      value() {
        throw new Error('checker broke\nat some frame');
      },
    });
    try {
      assert.deepEqual(checkCondition('REQUEST_ROLE', 'true'), { message: 'checker broke' });
    } finally {
      Object.defineProperty(Environment.prototype, 'check', check);
    }
    assert.equal(checkCondition('REQUEST_ROLE', 'true'), undefined);
  });
});
