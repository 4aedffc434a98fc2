// The one-line summary of an access request in the approval.awaiting notice: the statement's
// whitespace folded to single spaces and trimmed, and cut to 60 characters (the last one an
// ellipsis) only when it is longer, and every database named (issue 15: mutants of server/domain/approval-notice.ts).
import assert from 'node:assert/strict';
import type { ServiceEvent } from '../../server/events/bus.js';
import { startHarness, type Harness } from '../support/harness.js';
import { requestAccess } from './helpers.js';

/** The summary bob's editor shows for a request of alice's with this statement. */
async function summaryFor(h: Harness, statement: string, databases = ['demo/sales']): Promise<string> {
  const heard: ServiceEvent[] = [];
  h.service.deps.events.subscribe('bob', (e) => heard.push(e));
  await requestAccess(h, { statement, databases });
  const notice = heard.find((e) => e.type === 'approval.awaiting');
  assert.ok(notice?.type === 'approval.awaiting', 'bob is told a step awaits him');
  return notice.data.summary;
}

/** A statement of exactly `n` characters on the sales database. */
const statementOf = (n: number) => {
  const head = 'SELECT country FROM customers WHERE country <> ';
  return `${head}'${'x'.repeat(n - head.length - 2)}'`;
};

describe('approval.awaiting summary', () => {
  let h: Harness;
  beforeEach(async () => (h = await startHarness()));
  afterEach(async () => h.close());

  it('keeps a statement of exactly 60 characters whole', async () => {
    const statement = statementOf(60);
    assert.equal(await summaryFor(h, statement), `alice: ${statement} on demo/sales`);
  });

  it('cuts one of 61 characters to its first 59 and an ellipsis', async () => {
    const statement = statementOf(61);
    assert.equal(await summaryFor(h, statement), `alice: ${statement.slice(0, 59)}… on demo/sales`);
  });

  it('trims the whitespace around the statement before counting', async () => {
    const statement = statementOf(60);
    assert.equal(await summaryFor(h, `\n  ${statement}\n`), `alice: ${statement} on demo/sales`);
  });

  it('lists every database of the request', async () => {
    assert.equal(await summaryFor(h, 'SELECT 1 AS one', ['demo/hr', 'demo/sales']), 'alice: SELECT 1 AS one on demo/hr, demo/sales');
  });
});
