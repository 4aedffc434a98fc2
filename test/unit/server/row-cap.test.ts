// The row cap every engine applies (server/engines/cursor.ts): batches of at most the batch
// size, no more rows than the cap, and "truncated" only when rows were really left.
import assert from 'node:assert/strict';
import { cappedBatches } from '../../../server/engines/cursor.js';

/** A statement of `total` rows whose reads are recorded. */
function statement(total: number) {
  const asked: number[] = [];
  let next = 1;
  const take = async (n: number) => {
    asked.push(n);
    const rows: number[] = [];
    while (rows.length < n && next <= total) rows.push(next++);
    return { rows, exhausted: next > total };
  };
  return { asked, take };
}

async function drain(read: () => Promise<{ rows: number[]; done: boolean; truncated: boolean }>) {
  const batches: number[][] = [];
  for (;;) {
    const batch = await read();
    batches.push(batch.rows);
    if (batch.done) return { batches, truncated: batch.truncated };
  }
}

describe('row cap', () => {
  it('cuts at the cap in batches and says rows were left', async () => {
    const s = statement(25);
    const { batches, truncated } = await drain(cappedBatches(12, 5, s.take));
    assert.deepEqual(batches.map((b) => b.length), [5, 5, 2]);
    assert.deepEqual(batches.flat(), Array.from({ length: 12 }, (_, i) => i + 1));
    assert.equal(truncated, true);
    assert.deepEqual(s.asked, [5, 5, 2, 1]);
  });

  it('is not truncated when the statement ends exactly at the cap', async () => {
    const s = statement(10);
    const { batches, truncated } = await drain(cappedBatches(10, 5, s.take));
    assert.equal(batches.flat().length, 10);
    assert.equal(truncated, false);
  });

  it('stops at the end of a shorter statement without a read past it', async () => {
    const s = statement(7);
    const { batches, truncated } = await drain(cappedBatches(100, 5, s.take));
    assert.deepEqual(batches.map((b) => b.length), [5, 2]);
    assert.equal(truncated, false);
    assert.deepEqual(s.asked, [5, 5]);
  });

  it('reads at least one row even with a cap of zero', async () => {
    const s = statement(3);
    const { batches, truncated } = await drain(cappedBatches(0, 5, s.take));
    assert.deepEqual(batches, [[1]]);
    assert.equal(truncated, true);
  });
});
