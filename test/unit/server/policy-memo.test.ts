// Approval routing evaluates a table-independent condition once per database, not once per
// table. That memo must never carry an answer from one target to another that differs in
// anything but its table: another request, another database.
import assert from 'node:assert/strict';
import type { ApprovalRule, ApprovalRules } from '../../../server/config/schema.js';
import { routeRequest } from '../../../server/policy/approval.js';

const resource = (database: string, table: string) => ({ project_id: 'shop', environment_id: 'prod', instance_id: 'demo', db_engine: 'sqlite', database_name: database, table_name: table });
const request = (unmask: boolean, seconds = 3600n) => ({ unmask, data_export: false, expiration_seconds: seconds, statement: 'SELECT 1' });
const rules = (access: ApprovalRule[]): ApprovalRules => ({ REQUEST_ACCESS: access, REQUEST_ROLE: [] });

describe('approval routing: the per-database memo', () => {
  const list = rules([
    { title: 'unmask', condition: 'request.unmask', steps: [['projectOwner'], ['workspaceDBA']] },
    { title: 'long', condition: 'request.expiration_seconds > 7200', steps: [['projectOwner'], ['workspaceDBA'], ['workspaceAdmin']] },
    { title: 'hr', condition: 'resource.database_name == "hr"', steps: [['workspaceDBA']] },
    { title: 'orders table', condition: 'resource.table_name == "orders"', steps: [['projectOwner']] },
  ]);

  it('targets with different requests on the same database and table are evaluated each on its own', () => {
    const route = routeRequest(list, 'REQUEST_ACCESS', [
      { request: request(false), resource: resource('sales', 'orders') },
      { request: request(true), resource: resource('sales', 'orders') },
    ]);
    assert.equal(route.rule.title, 'unmask');
    assert.deepEqual(route.steps, [['projectOwner'], ['workspaceDBA']]);
  });

  it('requests that differ only in a bigint attribute are told apart', () => {
    const route = routeRequest(list, 'REQUEST_ACCESS', [
      { request: request(false, 3600n), resource: resource('sales', 'orders') },
      { request: request(false, 86400n), resource: resource('sales', 'orders') },
    ]);
    assert.equal(route.rule.title, 'long');
  });

  it('tables of one database share table-independent answers, but not table-dependent ones', () => {
    const shared = request(false);
    const route = routeRequest(list, 'REQUEST_ACCESS', [
      { request: shared, resource: resource('sales', 'orders') },
      { request: shared, resource: resource('sales', 'customers') },
    ]);
    // orders matches its table rule; customers matches nothing: a workspace admin is added.
    assert.equal(route.rule.title, 'orders table');
    assert.deepEqual(route.steps, [['projectOwner'], ['workspaceAdmin']]);
  });

  it('another database is evaluated afresh', () => {
    const shared = request(false);
    const route = routeRequest(list, 'REQUEST_ACCESS', [
      { request: shared, resource: resource('sales', 'customers') },
      { request: shared, resource: resource('hr', 'customers') },
    ]);
    assert.equal(route.rule.title, 'hr');
    assert.deepEqual(route.steps, [['workspaceDBA'], ['workspaceAdmin']]);
  });
});
