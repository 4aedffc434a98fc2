// The statement analyzer reads a short statement in place and a long one on its worker
// thread; either way the user gets the gate's answer: the same reading, the same refusal with
// its position. Which thread read it is told by the event loop: a statement read in place is
// answered before the loop turns once.
import assert from 'node:assert/strict';
import { DomainError } from '../../../server/domain/errors.js';
import { createStatementAnalyzer, type StatementAnalyzer } from '../../../server/sql/analysis.js';
import { checkStatement } from '../../../server/sql/statement-gate.js';
import { loopTurns } from '../../support/loop-turns.js';

const SQL = 'SELECT name FROM customers';
const REFUSED = 'SELECT 1; DELETE FROM customers';

function refusalOf(sql: string): DomainError {
  try {
    checkStatement(sql, 'postgres');
  } catch (err) {
    return err as DomainError;
  }
  assert.fail('the gate accepted the statement');
}

describe('statement analysis: in place or on the worker thread', () => {
  // The time limit counts the worker's start, which on a busy machine running TypeScript
  // sources can take longer than the default 10 s; it is not what these tests are about.
  const timeoutMs = 600_000;
  // Made in a hook, not when the file loads, so that a mutation run builds them afresh.
  let inPlace: StatementAnalyzer;
  let onWorker: StatementAnalyzer;
  before(() => {
    inPlace = createStatementAnalyzer({ inlineMax: SQL.length, timeoutMs });
    onWorker = createStatementAnalyzer({ inlineMax: SQL.length - 1, timeoutMs });
  });
  after(async () => {
    await inPlace.close();
    await onWorker.close();
  });

  it('a statement of inlineMax characters is read in place, a longer one on the worker, to the same reading', async () => {
    const here = await loopTurns(() => inPlace.analyze(SQL, 'postgres', 1_000));
    assert.equal(here.turns, 0);
    const there = await loopTurns(() => onWorker.analyze(SQL, 'postgres', 1_000));
    assert.ok(there.turns > 0, 'the loop turned while the worker read it');
    assert.deepEqual(there.value, checkStatement(SQL, 'postgres'));
    assert.deepEqual(here.value, there.value);
  });

  it("the worker's refusal is the gate's: INVALID_ARGUMENT, its message and its position", async () => {
    const expected = refusalOf(REFUSED);
    await assert.rejects(onWorker.analyze(REFUSED, 'postgres', 1_000), (err: unknown) => {
      assert.ok(err instanceof DomainError);
      assert.equal(err.code, 'INVALID_ARGUMENT');
      assert.equal(err.message, expected.message);
      assert.deepEqual(err.details, expected.details);
      return true;
    });
  });

  it('a statement longer than maxLength is refused before it is read, naming both lengths; one of maxLength is read', async () => {
    await assert.rejects(inPlace.analyze(REFUSED, 'postgres', REFUSED.length - 1), (err: unknown) => {
      assert.ok(err instanceof DomainError);
      assert.equal(err.code, 'INVALID_ARGUMENT');
      assert.equal(err.message, `The statement is ${REFUSED.length} characters long; the limit is ${REFUSED.length - 1} (workspace setting maxStatementLength)`);
      assert.deepEqual(err.details, { field: 'statement' });
      return true;
    });
    assert.deepEqual(await inPlace.analyze(SQL, 'postgres', SQL.length), checkStatement(SQL, 'postgres'));
  });

  it('a statement still being read when the time limit passes is refused as too complex; the next one is read by a new worker', async () => {
    // The time limit's timer is caught rather than waited for: the test fires it by hand,
    // while the read is surely still on the worker (its answer would need a turn of the loop).
    const limits: (() => void)[] = [];
    const { setTimeout: realSetTimeout, clearTimeout: realClearTimeout } = globalThis;
    globalThis.setTimeout = ((fn: () => void) => (limits.push(fn), 0)) as unknown as typeof setTimeout;
    globalThis.clearTimeout = (() => undefined) as typeof clearTimeout;
    const limited = createStatementAnalyzer({ inlineMax: 0, timeoutMs });
    let reading: Promise<unknown>;
    try {
      reading = limited.analyze(SQL, 'postgres', 1_000);
      for (let i = 0; i < 5; i++) await null;
    } finally {
      Object.assign(globalThis, { setTimeout: realSetTimeout, clearTimeout: realClearTimeout });
    }
    assert.equal(limits.length, 1, 'one time limit for the one read');
    limits[0]();
    await assert.rejects(reading, (err: unknown) => {
      assert.ok(err instanceof DomainError);
      assert.equal(err.code, 'INVALID_ARGUMENT');
      assert.equal(err.message, 'The statement is too complex to check: reading it took longer than 600 s');
      assert.deepEqual(err.details, { field: 'statement' });
      return true;
    });
    // Asked at once, while the stopped worker is still exiting: not "the checker stopped".
    assert.deepEqual(await limited.analyze(SQL, 'postgres', 1_000), checkStatement(SQL, 'postgres'));
    await limited.close();
  });

  it('closing fails the statement being read with UNAVAILABLE; the next one gets a new worker', async () => {
    const reading = onWorker.analyze(`${SQL} WHERE id = 1`, 'postgres', 1_000);
    const failed = assert.rejects(reading, (err: unknown) => err instanceof DomainError && err.code === 'UNAVAILABLE' && err.message === 'The service is stopping');
    // A few microtasks let the read pass the lock and reach the worker; the worker's answer
    // is a message, delivered on a later turn of the loop, so it cannot arrive before close().
    for (let i = 0; i < 5; i++) await null;
    await onWorker.close();
    await failed;
    assert.deepEqual(await onWorker.analyze(SQL, 'postgres', 1_000), checkStatement(SQL, 'postgres'));
  });
});
