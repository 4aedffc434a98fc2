import assert from 'node:assert/strict';
import type { ApprovalRule, ApprovalRules } from '../../../server/config/schema.js';
import { FAIL_CLOSED_TITLE, routeRequest } from '../../../server/policy/approval.js';
import { checkCondition } from '../../../server/policy/cel.js';

const target = (over: { database?: string; table?: string; unmask?: boolean; seconds?: number } = {}) => ({
  request: { unmask: over.unmask ?? false, data_export: false, expiration_seconds: BigInt(over.seconds ?? 3600), statement: 'SELECT 1' },
  resource: { project_id: 'shop', environment_id: 'prod', instance_id: 'demo', db_engine: 'sqlite', database_name: over.database ?? 'sales', table_name: over.table ?? '' },
});

const rules = (access: ApprovalRule[]): ApprovalRules => ({ REQUEST_ACCESS: access, REQUEST_ROLE: [] });
const rule = (title: string, condition: string, steps: ApprovalRule['steps']): ApprovalRule => ({ title, condition, steps });

describe('approval routing (policy)', () => {
  const list = rules([
    rule('unmask', 'request.unmask', [['projectOwner'], ['workspaceDBA']]),
    rule('hr', 'resource.database_name == "hr"', [['workspaceDBA']]),
    rule('any', 'true', [['projectOwner']]),
  ]);

  it('the first matching rule wins, not the strictest of one target', () => {
    const route = routeRequest(list, 'REQUEST_ACCESS', [target({ database: 'hr', unmask: false })]);
    assert.deepEqual(route, { rule: { title: 'hr', source: 'REQUEST_ACCESS', index: 1 }, steps: [['workspaceDBA']] });
  });

  it('over several targets the rule with the most steps wins', () => {
    const route = routeRequest(rules([rule('one', 'resource.table_name == "a"', [['projectOwner']]), rule('two', 'true', [['projectOwner'], ['workspaceDBA']])]), 'REQUEST_ACCESS', [
      target({ table: 'a' }),
      target({ table: 'b' }),
    ]);
    assert.equal(route.rule.title, 'two');
    assert.deepEqual(route.steps, [['projectOwner'], ['workspaceDBA']]);
  });

  it('on a tie the earlier target\'s rule is kept', () => {
    const route = routeRequest(list, 'REQUEST_ACCESS', [target({ database: 'hr' }), target({ database: 'sales' })]);
    assert.equal(route.rule.title, 'hr');
  });

  it('fails closed when no rule matches, and when there are no rules or no targets', () => {
    const closed = { rule: { title: FAIL_CLOSED_TITLE, source: 'REQUEST_ACCESS', index: null }, steps: [['workspaceAdmin']] };
    assert.deepEqual(routeRequest(rules([rule('hr', 'resource.database_name == "hr"', [])]), 'REQUEST_ACCESS', [target()]), closed);
    assert.deepEqual(routeRequest(rules([]), 'REQUEST_ACCESS', [target()]), closed);
    assert.deepEqual(routeRequest(list, 'REQUEST_ACCESS', []), closed);
  });

  it('fails closed when a condition cannot be evaluated (missing attribute)', () => {
    const route = routeRequest(rules([rule('auto', 'request.expiration_seconds < 7200', [])]), 'REQUEST_ACCESS', [{ request: {}, resource: {} }]);
    assert.equal(route.rule.index, null);
    assert.deepEqual(route.steps, [['workspaceAdmin']]);
  });

  it('an evaluation error does not fall through to a later, weaker rule', () => {
    const route = routeRequest(
      rules([rule('division', '1 / (request.expiration_seconds - 3600) > 0', [['projectOwner']]), rule('auto', 'true', [])]),
      'REQUEST_ACCESS',
      [target({ seconds: 3600 })],
    );
    assert.deepEqual(route.steps, [['workspaceAdmin']]);
  });

  it('an auto-approve match plus an unmatched target is not auto-approved', () => {
    const route = routeRequest(rules([rule('sales', 'resource.database_name == "sales"', [])]), 'REQUEST_ACCESS', [target(), target({ database: 'hr' })]);
    assert.deepEqual(route.steps, [['workspaceAdmin']]);
    assert.equal(route.rule.title, 'sales');
  });

  it('a matched rule plus an unmatched target adds a workspace admin step, unless one is there', () => {
    const owner = routeRequest(rules([rule('sales', 'resource.database_name == "sales"', [['projectOwner']])]), 'REQUEST_ACCESS', [target(), target({ database: 'hr' })]);
    assert.deepEqual(owner.steps, [['projectOwner'], ['workspaceAdmin']]);
    const admin = routeRequest(rules([rule('sales', 'resource.database_name == "sales"', [['workspaceAdmin', 'projectOwner']])]), 'REQUEST_ACCESS', [target(), target({ database: 'hr' })]);
    assert.deepEqual(admin.steps, [['workspaceAdmin', 'projectOwner']]);
  });

  it('explicit auto-approval routes with no steps', () => {
    const route = routeRequest(rules([rule('auto', 'true', [])]), 'REQUEST_ACCESS', [target()]);
    assert.deepEqual(route.steps, []);
    assert.equal(route.rule.index, 0);
  });

  it('the routed steps are copies: changing them leaves the rules alone', () => {
    const route = routeRequest(list, 'REQUEST_ACCESS', [target({ unmask: true })]);
    route.steps[0].push('workspaceAdmin');
    assert.deepEqual(list.REQUEST_ACCESS[0].steps, [['projectOwner'], ['workspaceDBA']]);
  });
});

describe('CEL conditions (type checks)', () => {
  it('accepts bool conditions over the source\'s attributes', () => {
    for (const c of ['true', 'request.unmask || request.data_export', 'request.expiration_seconds > 3600', 'resource.table_name.startsWith("pay")', 'request.statement.contains("ssn")']) {
      assert.equal(checkCondition('REQUEST_ACCESS', c), undefined, c);
    }
    for (const c of ['request.role == "projectOwner"', 'resource.environment_id == "prod" && request.expiration_seconds <= 86400']) {
      assert.equal(checkCondition('REQUEST_ROLE', c), undefined, c);
    }
  });

  it('gives the position of a syntax error', () => {
    assert.deepEqual(checkCondition('REQUEST_ACCESS', 'request.unmask =='), { message: 'Unexpected token: EOF', line: 1, column: 18 });
  });

  it('gives the line and column of an unknown attribute', () => {
    assert.deepEqual(checkCondition('REQUEST_ACCESS', 'true &&\n  resource.table_nam == "x"'), { message: 'No such key: table_nam', line: 2, column: 12 });
  });

  it('attributes belong to their source', () => {
    assert.match(checkCondition('REQUEST_ROLE', 'resource.table_name == "x"')!.message, /table_name/);
    assert.match(checkCondition('REQUEST_ROLE', 'request.unmask')!.message, /unmask/);
    assert.match(checkCondition('REQUEST_ACCESS', 'request.role == "x"')!.message, /role/);
  });

  it('refuses type errors and non-bool conditions', () => {
    assert.match(checkCondition('REQUEST_ACCESS', 'request.unmask == "yes"')!.message, /no such overload/);
    assert.match(checkCondition('REQUEST_ACCESS', 'request.expiration_seconds > "1h"')!.message, /no such overload/);
    assert.deepEqual(checkCondition('REQUEST_ACCESS', 'request.expiration_seconds'), { message: 'the condition must be a bool, but it is int' });
    assert.deepEqual(checkCondition('REQUEST_ACCESS', 'resource.database_name'), { message: 'the condition must be a bool, but it is string' });
  });
});
