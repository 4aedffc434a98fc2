import assert from 'node:assert/strict';
import { requestDetails } from '../../../extension/core/request-details.js';
import { accessRequest, step } from './fixtures.js';

describe('Request view details', () => {
  it('shows who asks, what, where, and the rule', () => {
    const details = requestDetails(accessRequest({ id: '17', creator: 'alice' }));
    assert.equal(details.title, 'Request #17');
    assert.equal(details.creator, 'alice');
    assert.equal(details.statement, 'SELECT email FROM employees');
    assert.deepEqual(details.tables, ['employees']);
    assert.equal(details.context.rule, 'Unmask needs the owner then a DBA (REQUEST_ACCESS)');
    assert.equal(details.statusLine, 'OPEN — waiting on step 1 of 2: projectOwner');
  });

  it('describes each approval step with its decision', () => {
    const details = requestDetails(
      accessRequest({ currentStep: 1, steps: [step(['projectOwner'], { approver: 'bob', decision: 'APPROVED', comment: 'ok' }), step(['workspaceDBA'])] }),
    );
    assert.deepEqual(details.steps, [
      { label: 'Step 1: projectOwner', state: 'approved by bob — ok' },
      { label: 'Step 2: workspaceDBA', state: 'waiting' },
    ]);
  });

  it('shows a rejection with who rejected and why, and later steps as not reached', () => {
    const details = requestDetails(
      accessRequest({ status: 'REJECTED', currentStep: 2, steps: [step(['projectOwner'], { approver: 'bob', decision: 'REJECTED', comment: 'too broad' }), step(['workspaceDBA'])] }),
    );
    assert.equal(details.statusLine, 'REJECTED');
    assert.deepEqual(details.steps.map((s) => s.state), ['rejected by bob — too broad', 'not reached']);
  });

  it('shows a role request with its role and no statement', () => {
    const details = requestDetails(accessRequest({ type: 'ROLE_GRANT', payload: { role: 'projectExporter', databases: ['demo/sales'], duration: '1d', reason: 'quarter end' } }));
    assert.equal(details.kind, 'role');
    assert.equal(details.role, 'projectExporter');
    assert.equal(details.statement, undefined);
  });

  it('gives approvers the environments with production marked, the rule and its source, the tables read and what Unmask reveals', () => {
    const context = {
      databases: [{ name: 'demo/hr', environment: 'prod', production: true }, { name: 'demo/hr_test', environment: 'test', production: false }],
      rule: { title: 'Unmask needs the owner then a DBA', source: 'REQUEST_ACCESS' as const },
      tablesRead: [{ database: 'demo/hr', table: 'employees' }],
      revealsMaskedColumns: [{ database: 'demo/hr', table: 'employees', column: 'email' }],
    };
    assert.deepEqual(requestDetails(accessRequest({ context })).context, {
      databases: context.databases,
      rule: 'Unmask needs the owner then a DBA (REQUEST_ACCESS)',
      tablesRead: ['demo/hr: employees'],
      revealsMaskedColumns: ['demo/hr: employees.email'],
    });
  });
});
