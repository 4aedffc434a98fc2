// Routing evaluates a condition once per database when it cannot read the table. A condition
// that reads the table without spelling "table_name" must still be evaluated for every table:
// otherwise the first table's answer routes the others, and a request reading a sensitive
// table next to an ordinary one gets the ordinary table's (weaker) approval.
import assert from 'node:assert/strict';
import type { ApprovalRule, ApprovalRules } from '../../../server/config/schema.js';
import { routeRequest } from '../../../server/policy/approval.js';
import { checkCondition, readsTable } from '../../../server/policy/cel.js';

const request = { unmask: false, data_export: false, expiration_seconds: 3600n, statement: 'SELECT 1' };
const target = (table: string) => ({
  request,
  resource: { project_id: 'shop', environment_id: 'prod', instance_id: 'demo', db_engine: 'sqlite', database_name: 'hr', table_name: table },
});
const rules = (condition: string): ApprovalRules => ({
  REQUEST_ACCESS: [
    { title: 'salaries', condition, steps: [['workspaceDBA']] },
    { title: 'the rest', condition: 'true', steps: [] },
  ] satisfies ApprovalRule[],
  REQUEST_ROLE: [],
});

describe('approval routing: conditions that read the table without naming table_name', () => {
  for (const condition of ['resource["table" + "_name"] == "salaries"', '[resource].exists(r, r["table_" + "name"] == "salaries")']) {
    it(`${condition} is evaluated for every table of the database`, () => {
      assert.equal(checkCondition('REQUEST_ACCESS', condition), undefined, 'an admin can save it');
      const route = routeRequest(rules(condition), 'REQUEST_ACCESS', [target('orders'), target('salaries')]);
      assert.equal(route.rule.title, 'salaries');
      assert.deepEqual(route.steps, [['workspaceDBA']]);
    });
  }

  it('only conditions that read the resource by its table-independent fields are shared by the tables of a database', () => {
    for (const c of ['request.unmask', 'resource.database_name == "hr"', 'resource . instance_id == "demo" && resource.db_engine == "sqlite"', 'resource.project_id == "shop" || resource.environment_id == "prod"']) {
      assert.equal(readsTable(c), false, c);
    }
    for (const c of ['resource.table_name == "x"', 'resource["database_name"] == "hr"', 'dyn(resource).size() > 0', 'resource.database_name == "hr" && resource.table_name == "x"', 'request.statement.contains("resource")']) {
      assert.equal(readsTable(c), true, c);
    }
  });
});
