import assert from 'node:assert/strict';
import type { ApprovalRules } from '../../server/config/schema.js';
import { startHarness, testConfig, type Harness } from '../support/harness.js';
import { API, actions, decide, expectRefused, requestAccess } from './helpers.js';

const SALES_ONLY = 'resource.database_name == "sales"';

function withAccessRules(rules: ApprovalRules['REQUEST_ACCESS']) {
  return testConfig((c) => (c.approvalRules.REQUEST_ACCESS = rules));
}

describe('approval routing', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  it('fail closed: no matching rule needs a workspace admin, and an owner cannot approve', async () => {
    h = await startHarness(withAccessRules([{ title: 'Sales reads', condition: SALES_ONLY, steps: [['projectOwner']] }]));
    const { request, grant } = await requestAccess(h, { databases: ['demo/hr'], statement: 'SELECT name FROM employees' });
    assert.deepEqual(request.rule, { title: 'No approval rule matched: a workspace admin must approve', source: 'REQUEST_ACCESS', index: null });
    assert.deepEqual(request.steps, [{ roles: ['workspaceAdmin'] }]);
    assert.equal((await h.json('bob', 'POST', `${API}/requests/${request.id}/approve`, {})).status, 403);
    assert.equal((await h.json('dana', 'POST', `${API}/requests/${request.id}/approve`, {})).status, 403);
    await decide(h, 'admin', request.id);
    assert.equal((await h.json('alice', 'GET', `${API}/grants/${grant.id}`)).body.state, 'ACTIVE');
  });

  it('fail closed is never auto-approved, not even when another target matches an auto-approve rule', async () => {
    h = await startHarness(withAccessRules([{ title: 'Sales reads are fine', condition: SALES_ONLY, steps: [] }]));
    const none = await requestAccess(h, { databases: ['demo/hr'], statement: 'SELECT 1' });
    assert.equal(none.request.status, 'OPEN');
    assert.deepEqual(none.request.steps, [{ roles: ['workspaceAdmin'] }]);
    const mixed = await requestAccess(h, { databases: ['demo/sales', 'demo/hr'], statement: 'SELECT 1' });
    assert.equal(mixed.request.status, 'OPEN');
    assert.equal(mixed.grant.state, 'PENDING');
    assert.deepEqual(mixed.request.steps, [{ roles: ['workspaceAdmin'] }]);
  });

  it('one target matching and another not: the matched steps plus a workspace admin', async () => {
    h = await startHarness(withAccessRules([{ title: 'Sales reads', condition: SALES_ONLY, steps: [['projectOwner']] }]));
    const { request } = await requestAccess(h, { databases: ['demo/sales', 'demo/hr'], statement: 'SELECT 1' });
    assert.deepEqual(request.steps.map((s: any) => s.roles), [['projectOwner'], ['workspaceAdmin']]);
    await decide(h, 'bob', request.id);
    assert.equal((await decide(h, 'admin', request.id)).status, 'APPROVED');
  });

  it('a condition that fails to evaluate routes fail closed', async () => {
    // The rule type-checks, but dividing by the zero-length check fails at evaluation.
    h = await startHarness(withAccessRules([{ title: 'Short grants', condition: '3600 / (request.expiration_seconds - 3600) > 0', steps: [] }]));
    const { request } = await requestAccess(h, { duration: '1h' });
    assert.equal(request.rule.index, null);
    assert.deepEqual(request.steps, [{ roles: ['workspaceAdmin'] }]);
  });

  it('the first matching rule routes; over several targets the strictest wins', async () => {
    h = await startHarness(
      withAccessRules([
        { title: 'Sales: owner', condition: SALES_ONLY, steps: [['projectOwner']] },
        { title: 'HR: owner then DBA', condition: 'resource.database_name == "hr"', steps: [['projectOwner'], ['workspaceDBA']] },
        { title: 'Anything else: DBA', condition: 'true', steps: [['workspaceDBA']] },
      ]),
    );
    const sales = await requestAccess(h, { databases: ['demo/sales'] });
    assert.equal(sales.request.rule.title, 'Sales: owner');
    assert.equal(sales.request.rule.index, 0);
    const both = await requestAccess(h, { databases: ['demo/sales', 'demo/hr'], statement: 'SELECT 1' });
    assert.equal(both.request.rule.title, 'HR: owner then DBA');
    assert.deepEqual(both.request.steps.map((s: any) => s.roles), [['projectOwner'], ['workspaceDBA']]);
  });

  it('table_name: a statement over several tables is routed by its strictest table', async () => {
    h = await startHarness(
      withAccessRules([
        { title: 'Orders are sensitive', condition: 'resource.table_name == "orders"', steps: [['projectOwner'], ['workspaceDBA']] },
        { title: 'Default', condition: 'true', steps: [['projectOwner']] },
      ]),
    );
    const one = await requestAccess(h, { statement: 'SELECT * FROM customers' });
    assert.equal(one.request.rule.title, 'Default');
    const joined = await requestAccess(h, { statement: 'SELECT c.name FROM customers c JOIN orders o ON o.customer_id = c.id' });
    assert.equal(joined.request.rule.title, 'Orders are sensitive');
  });
});

describe('PUT /approval-rules', () => {
  let h: Harness;
  beforeEach(async () => (h = await startHarness()));
  afterEach(async () => h.close());

  const put = (rules: unknown, user: 'admin' | 'dana' = 'admin') => () => h.json(user, 'PUT', `${API}/approval-rules`, rules);
  const rules = (condition: string): ApprovalRules => ({
    REQUEST_ACCESS: [{ title: 'Good', condition: 'true', steps: [['projectOwner']] }, { title: 'Broken', condition, steps: [['workspaceDBA']] }],
    REQUEST_ROLE: [],
  });

  it('a syntax error is refused naming the rule and the position', async () => {
    const error = await expectRefused(h, put(rules('request.unmask ==')), 400, 'INVALID_ARGUMENT', /REQUEST_ACCESS rule 2 \("Broken"\)/, /line 1, column 18/);
    assert.deepEqual({ ...error.details }, { field: 'REQUEST_ACCESS.1.condition', source: 'REQUEST_ACCESS', index: 1, title: 'Broken', line: 1, column: 18 });
  });

  it('an unknown attribute is refused with its line and column', async () => {
    await expectRefused(h, put(rules('true &&\n  resource.table_nam == "x"')), 400, 'INVALID_ARGUMENT', /No such key: table_nam/, /line 2, column 12/);
  });

  it('a type error and a non-bool condition are refused', async () => {
    await expectRefused(h, put(rules('request.unmask == "yes"')), 400, 'INVALID_ARGUMENT', /rule 2/, /no such overload/);
    await expectRefused(h, put(rules('request.expiration_seconds')), 400, 'INVALID_ARGUMENT', /must be a bool, but it is int/);
    // table_name exists only for access requests.
    await expectRefused(
      h,
      put({ REQUEST_ACCESS: [], REQUEST_ROLE: [{ title: 'By table', condition: 'resource.table_name == "x"', steps: [['projectOwner']] }] }),
      400, 'INVALID_ARGUMENT', /REQUEST_ROLE rule 1/, /table_name/,
    );
  });

  it('a malformed rule list is refused with the field', async () => {
    await expectRefused(h, put({ REQUEST_ACCESS: [{ title: 'x', condition: 'true', steps: [['root']] }], REQUEST_ROLE: [] }), 400, 'INVALID_ARGUMENT', /steps/);
    await expectRefused(h, put({ REQUEST_ACCESS: [] }), 400, 'INVALID_ARGUMENT', /REQUEST_ROLE/);
  });

  it('valid rules are saved, audited, survive a restart and change routing', async () => {
    const next: ApprovalRules = { REQUEST_ACCESS: [{ title: 'Everything: a DBA', condition: 'request.expiration_seconds <= 86400', steps: [['workspaceDBA']] }], REQUEST_ROLE: [] };
    const saved = await h.json('dana', 'PUT', `${API}/approval-rules`, next);
    assert.equal(saved.status, 200);
    assert.deepEqual(saved.body, { ...next, warnings: [] });
    assert.deepEqual(actions(h), ['rules.changed']);
    await h.restart();
    assert.deepEqual((await h.json('admin', 'GET', `${API}/approval-rules`)).body, next);
    const { request } = await requestAccess(h);
    assert.deepEqual(request.steps, [{ roles: ['workspaceDBA'] }]);
    const long = await requestAccess(h, { duration: '2d' });
    assert.equal(long.request.rule.index, null);
  });
});

describe('rules are type-checked at start', () => {
  it('the service refuses to open with a bad rule in the seed config', async () => {
    const config = testConfig((c) => (c.approvalRules.REQUEST_ROLE[0].condition = 'request.unmask'));
    await assert.rejects(startHarness(config), /invalid approval rule: REQUEST_ROLE rule 1 \("Any role needs the owner, then a DBA"\): No such key: unmask at line 1, column 9/);
  });
});
