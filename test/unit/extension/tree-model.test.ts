import assert from 'node:assert/strict';
import type { AccessSnapshot } from '../../../extension/core/access-state.js';
import { ApiError } from '../../../extension/core/api-errors.js';
import { buildTree, CONTEXT, treeRoots, type TreeNode } from '../../../extension/core/tree-model.js';
import { accessRequest, grant, minutesFromNow, NOW } from './fixtures.js';

const sectionNamed = (tree: TreeNode[], label: string) => {
  const found = tree.find((n) => n.label === label);
  assert.ok(found, `no section "${label}" in ${tree.map((n) => n.label).join(', ')}`);
  return found;
};

describe('grants tree model', () => {
  const tree = buildTree({
    grants: [
      grant({ id: 'g-1', export: true, unmask: true, databases: ['demo/hr', 'demo/sales'] }),
      grant({ id: 'g-2', state: 'EXPIRED', expireTime: minutesFromNow(-10) }),
      grant({ id: 'g-3', state: 'REVOKED', revokeTime: minutesFromNow(-2) }),
      grant({ id: 'g-4', state: 'PENDING', expireTime: undefined }),
    ],
    myRequests: [accessRequest({ id: '21', creator: 'alice', currentStep: 1 }), accessRequest({ id: '22', status: 'APPROVED' })],
    toApprove: [accessRequest({ id: '30', creator: 'bob' })],
    now: NOW,
  });

  it('has the four sections in order, each counting its items', () => {
    assert.deepEqual(tree.map((n) => [n.label, n.description]), [
      ['Active', '1'],
      ['Pending', '1'],
      ['To approve', '1'],
      ['Expired & Revoked', '2'],
    ]);
  });

  it('shows an active grant with its databases, badges and time left, and the Run/Export/Revoke context', () => {
    const [item] = sectionNamed(tree, 'Active').children!;
    assert.equal(item.label, '#g-1 · 23m left');
    assert.equal(item.description, 'Export · Unmask · demo/hr, demo/sales');
    assert.equal(item.tooltip, 'Grant #g-1 on demo/hr, demo/sales\nExport · Unmask · 23m left\nSELECT id, email FROM employees');
    assert.equal(item.contextValue, CONTEXT.activeExportGrant);
    assert.equal(item.grantId, 'g-1');
  });

  it('links an active grant to its approval request', () => {
    const [item] = sectionNamed(tree, 'Active').children!;
    const link = item.children!.find((c) => c.label.startsWith('Open request'));
    assert.deepEqual(link?.action, { command: 'openRequest', requestId: item.requestId });
  });

  it('marks a grant without export so the Export action is not offered', () => {
    const [item] = buildTree({ grants: [grant({ id: 'g-9' })], myRequests: [], toApprove: [], now: NOW })[0].children!;
    assert.equal(item.contextValue, CONTEXT.activeGrant);
    assert.equal(item.label, '#g-9 · 23m left');
    assert.equal(item.description, 'demo/hr');
  });

  // What a sidebar at its default width shows of a row before cutting it off (the UI test saw
  // "#1 demo/hr_us, demo/hr_eu E…"): the time left and the badges must fit in it.
  it('puts the time left and the badges where a narrow sidebar still shows them', () => {
    const [item] = buildTree({ grants: [grant({ id: '1', export: true, unmask: true, databases: ['demo/hr_us', 'demo/hr_eu'] })], myRequests: [], toApprove: [], now: NOW })[0].children!;
    const visible = `${item.label} ${item.description}`.slice(0, 30);
    assert.match(visible, /23m left/);
    assert.match(visible, /Export · Unmask/);
  });

  it('shows a pending request with the step it waits on', () => {
    const [item] = sectionNamed(tree, 'Pending').children!;
    assert.equal(item.label, '#21 demo/hr');
    assert.equal(item.description, 'waiting on step 2 of 2: workspaceDBA');
  });

  it('shows requests to approve with who asks and what, and the Approve/Reject context', () => {
    const [item] = sectionNamed(tree, 'To approve').children!;
    assert.equal(item.label, '#30 bob: demo/hr');
    assert.equal(item.description, 'Export · Unmask · 2h');
    assert.equal(item.contextValue, CONTEXT.requestToApprove);
  });

  it('lists the most recently ended grants first under Expired & Revoked', () => {
    const items = sectionNamed(tree, 'Expired & Revoked').children!;
    assert.deepEqual(items.map((i) => [i.label, i.description]), [['#g-3 · revoked', 'demo/hr'], ['#g-2 · expired', 'demo/hr']]);
  });

  it('says so when a section is empty', () => {
    const empty = buildTree({ grants: [], myRequests: [], toApprove: [], now: NOW });
    assert.deepEqual(empty.map((s) => s.children![0].label), ['No active grants', 'No pending requests', 'Nothing to approve', 'No expired or revoked grants']);
  });
});

describe('tree roots', () => {
  const base: AccessSnapshot = { status: 'ready', projects: [], grants: [], myRequests: [], toApprove: [] };

  it('asks a signed-out user to sign in', () => {
    const [node] = treeRoots({ ...base, status: 'signedOut' }, 'http://127.0.0.1:8787', NOW);
    assert.equal(node.label, 'Sign in to Just-In-Time Access');
    assert.deepEqual(node.action, { command: 'signIn' });
  });

  it('tells the user the service is down and offers to start it', () => {
    const error = new ApiError('UNAVAILABLE', 'connect ECONNREFUSED', 0);
    const [node] = treeRoots({ ...base, status: 'error', error }, 'http://127.0.0.1:8787', NOW);
    assert.match(node.label, /not reachable/);
    assert.deepEqual(node.action, { command: 'startService' });
  });
});
