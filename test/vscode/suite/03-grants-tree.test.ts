// The grants tree for alice (signed in through JIT_ACCESS_TOKEN) against the real service,
// seeded through its HTTP API: grants approved by bob (and dana for unmask), one expired,
// one request still open.
import assert from 'node:assert/strict';
import { approveAll, requestAccess, type Grant } from '../kit/api';
import { extension, refreshUntil, render, serviceUrl, type Row } from './helpers';

// Distinct statements tell the seeded grants apart in the tree (tooltips carry the statement).
const UNMASKED = 'SELECT email FROM employees WHERE id = 1';
const PLAIN = 'SELECT name FROM employees WHERE id = 3';
const EXPIRING = 'SELECT count(*) FROM employees';
const PENDING = 'SELECT id FROM employees';

describe('grants tree', () => {
  let unmasked: Grant;
  let plain: Grant;
  let expired: Grant;

  before(async () => {
    await extension().activate();
    ({ grant: unmasked } = await requestAccess(serviceUrl, 'alice', { statement: UNMASKED, unmask: true, export: true, duration: '2h' }));
    ({ grant: plain } = await requestAccess(serviceUrl, 'alice', { statement: PLAIN, databases: ['demo/hr_us'], duration: '30m' }));
    ({ grant: expired } = await requestAccess(serviceUrl, 'alice', { statement: EXPIRING, databases: ['demo/hr_eu'], duration: '1s' }));
    await requestAccess(serviceUrl, 'alice', { statement: PENDING });
    for (const g of [unmasked, plain, expired]) await approveAll(serviceUrl, g.requestId);
  });

  const rowFor = (rows: Row[], section: string, statement: string) =>
    rows.find((r) => r.label === section)?.children.find((c) => c.tooltip.includes(statement));

  it('shows Active, Pending, To approve and Expired & Revoked sections', async () => {
    const rows = await refreshUntil('the seeded grants', (rows) => Boolean(rowFor(rows, 'Active', PLAIN)));
    assert.deepEqual(rows.map((r) => r.label), ['Active', 'Pending', 'To approve', 'Expired & Revoked'], render(rows));
  });

  it('lists active grants with their databases, badges and time left', async () => {
    const rows = await refreshUntil('both active grants', (rows) => Boolean(rowFor(rows, 'Active', UNMASKED) && rowFor(rows, 'Active', PLAIN)));
    // The time left leads the label and the badges the description: a narrow sidebar cuts the rest.
    const u = rowFor(rows, 'Active', UNMASKED)!;
    assert.match(u.label, /^#\S+ · .*left$/, render(rows));
    assert.equal(u.description, 'Export · Unmask · demo/hr_us, demo/hr_eu', render(rows));
    const p = rowFor(rows, 'Active', PLAIN)!;
    assert.match(p.label, /^#\S+ · .*left$/, render(rows));
    assert.equal(p.description, 'demo/hr_us', render(rows));
    assert.ok(u.children.some((c) => /^Open request/.test(c.label)), 'links to its approval request');
    // Sorted by expiry: the 30-minute grant comes before the 2-hour one.
    const active = rows.find((r) => r.label === 'Active')!.children;
    assert.ok(active.indexOf(p) < active.indexOf(u), render(rows));
  });

  it('lists the open request under Pending with the step it waits on', async () => {
    const rows = await refreshUntil('the pending request', (rows) => (rows.find((r) => r.label === 'Pending')?.children.length ?? 0) > 0 && rows.find((r) => r.label === 'Pending')!.children[0].contextValue !== 'message');
    const pending = rows.find((r) => r.label === 'Pending')!.children;
    assert.equal(pending.length, 1, render(rows));
    assert.match(pending[0].description, /projectOwner/);
  });

  it('moves the 1-second grant to Expired & Revoked', async () => {
    const rows = await refreshUntil('the expired grant', (rows) => Boolean(rowFor(rows, 'Expired & Revoked', EXPIRING)));
    const row = rowFor(rows, 'Expired & Revoked', EXPIRING)!;
    assert.match(row.label, /^#\S+ · expired$/, render(rows));
    assert.equal(row.description, 'demo/hr_eu');
    assert.equal(rowFor(rows, 'Active', EXPIRING), undefined);
  });

  it('has nothing for alice to approve', async () => {
    const rows = await refreshUntil('the tree', (rows) => rows.length > 1);
    assert.deepEqual(rows.find((r) => r.label === 'To approve')!.children.map((c) => c.label), ['Nothing to approve']);
  });
});
