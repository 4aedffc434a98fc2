import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FULL_MASK, maskValue } from '../../../server/masking/algorithms.js';

describe('masking algorithms', () => {
  it('full hides every value behind the same mask, and keeps null', () => {
    for (const v of ['alice@example.com', 42, true, '']) assert.equal(maskValue('full', v), FULL_MASK);
    assert.equal(maskValue('full', null), null);
  });

  it('partial keeps a little at each end, scaled to the length', () => {
    assert.equal(maskValue('partial', 'alice@example.com'), 'ali******com');
    assert.equal(maskValue('partial', 'alice@ex.io'), 'al******io');
    assert.equal(maskValue('partial', 'bob'), FULL_MASK);
    assert.equal(maskValue('partial', null), null);
  });

  it('partial never reveals more than a fifth of a value, and never the middle', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 200 }), (text) => {
        const masked = String(maskValue('partial', text));
        const chars = [...text];
        const kept = [...masked].length - FULL_MASK.length;
        assert.ok(kept <= Math.floor(chars.length / 5) * 2, `kept ${kept} of ${chars.length}`);
        assert.ok(masked.includes(FULL_MASK));
        if (chars.length >= 5) assert.notEqual(masked, text);
      }),
    );
  });

  it('md5 gives the hex digest of the value as text, the same for equal values', () => {
    assert.equal(maskValue('md5', 'alice@example.com'), 'c160f8cc69a4f0bf2b0362752353d060');
    assert.equal(maskValue('md5', 42), maskValue('md5', '42'));
    assert.equal(maskValue('md5', null), null);
  });
});
