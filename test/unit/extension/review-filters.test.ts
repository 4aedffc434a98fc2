import assert from 'node:assert/strict';
import type { ProjectRole } from '../../../contract/index.js';
import type { Me, Project, ReviewedGrant, RoleBinding } from '../../../extension/core/api-types.js';
import { bindingMatches, bindingQuery, grantQuery, readFilters, reviewableProjects, reviewRows } from '../../../extension/core/review-filters.js';
import { grant, me as meIn, minutesFromNow, NOW, project } from './fixtures.js';

function binding(overrides: Partial<RoleBinding> = {}): RoleBinding {
  return {
    id: 'b-1', project: 'shop', user: 'carol', role: 'sqlEditorUser', databases: ['demo/hr'], requestId: '21', state: 'ACTIVE',
    createTime: minutesFromNow(-60), expireTime: minutesFromNow(60), revokeTime: undefined, revokedBy: undefined, approvers: ['bob'],
    ...overrides,
  };
}

const reviewed = (overrides: Partial<ReviewedGrant>): ReviewedGrant => ({ ...grant(), usage: { runs: 0, exports: 0 }, approvers: [], ...overrides });

describe('Access Grants review', () => {
  describe('who may review which projects', () => {
    const projects: Project[] = [project('shop'), project('hr')];
    const me = (workspaceRole: Me['workspaceRole'], roles: ProjectRole[] = []): Me => meIn({ shop: roles.map((role) => ({ role })) }, workspaceRole);

    it('lets workspace DBAs and admins review every project, a project owner the projects they own, and members none', () => {
      assert.deepEqual(reviewableProjects(me('workspaceDBA'), projects).map((p) => p.id), ['shop', 'hr']);
      assert.deepEqual(reviewableProjects(me('workspaceAdmin'), projects).map((p) => p.id), ['shop', 'hr']);
      assert.deepEqual(reviewableProjects(me('workspaceMember', ['projectOwner']), projects).map((p) => p.id), ['shop']);
      assert.deepEqual(reviewableProjects(me('workspaceMember', ['projectDeveloper']), projects), []);
      assert.deepEqual(reviewableProjects(undefined, projects), []);
    });
  });

  describe('filters', () => {
    it('trims what was typed and drops blanks', () => {
      assert.deepEqual(readFilters({ state: 'ACTIVE', user: ' alice ', database: '', expiringWithin: ' 2h ' }), { filters: { state: 'ACTIVE', user: 'alice', database: undefined, expiringWithin: '2h' } });
    });

    it('refuses an unknown state or an expiry window that is not a duration, saying what to type', () => {
      assert.deepEqual(readFilters({ state: 'GONE' }), { error: 'Unknown state "GONE": use ACTIVE, PENDING, EXPIRED, REVOKED.' });
      assert.deepEqual(readFilters({ expiringWithin: 'soon' }), { error: '"Expiring within" takes a number and a unit, like 30m, 2h or 3d (not "soon").' });
      assert.ok('error' in readFilters({ expiringWithin: '0m' }));
    });

    it('asks the service for grants with every filter', () => {
      assert.deepEqual(grantQuery({ state: 'ACTIVE', user: 'alice', database: 'demo/hr', expiringWithin: '2h' }), { state: 'ACTIVE', user: 'alice', database: 'demo/hr', expiringWithin: '2h' });
      assert.deepEqual(grantQuery({}), { state: undefined, user: undefined, database: undefined, expiringWithin: undefined });
    });

    it('asks for role bindings by state and user, active ones only when expiring, and none for PENDING', () => {
      assert.deepEqual(bindingQuery({ state: 'REVOKED', user: 'carol', database: 'demo/hr' }), { state: 'REVOKED', user: 'carol' });
      assert.deepEqual(bindingQuery({ state: 'EXPIRED', expiringWithin: '2h' }), { state: 'ACTIVE', user: undefined });
      assert.equal(bindingQuery({ state: 'PENDING' }), undefined);
    });

    it('keeps a binding on the database filtered for, or on the whole project, and active ones ending within the window', () => {
      assert.equal(bindingMatches(binding(), { database: 'demo/hr' }, NOW), true);
      assert.equal(bindingMatches(binding(), { database: 'demo/eu' }, NOW), false);
      assert.equal(bindingMatches(binding({ databases: undefined }), { database: 'demo/eu' }, NOW), true);
      assert.equal(bindingMatches(binding(), { expiringWithin: '2h' }, NOW), true);
      assert.equal(bindingMatches(binding(), { expiringWithin: '30m' }, NOW), false);
      assert.equal(bindingMatches(binding({ state: 'EXPIRED', expireTime: minutesFromNow(-5) }), { expiringWithin: '2h' }, NOW), false);
    });
  });

  describe('rows', () => {
    it('shows requester, databases, statement, badges, approvers, time left and usage, active access first and soonest to end on top', () => {
      const used = reviewed({ id: 'g-1', requester: 'alice', export: true, unmask: true, expireTime: minutesFromNow(90), approvers: ['bob', 'dana'], usage: { runs: 3, exports: 1, lastUsedTime: minutesFromNow(-5) } });
      const soon = reviewed({ id: 'g-2', requester: 'erin', expireTime: minutesFromNow(10), approvers: [], usage: { runs: 0, exports: 0 } });
      const past = reviewed({ id: 'g-3', state: 'REVOKED', revokedBy: 'bob', revokeTime: minutesFromNow(-120), usage: { runs: 1, exports: 0, lastUsedTime: minutesFromNow(-60 * 30) } });
      const rows = reviewRows([past, used, soon], [binding()], NOW);
      assert.deepEqual(rows.map((r) => r.id), ['g-2', 'b-1', 'g-1', 'g-3']);
      assert.deepEqual(rows[2], {
        kind: 'grant', id: 'g-1', name: 'grant #g-1', requester: 'alice', databases: ['demo/hr'], what: used.statement, badges: ['Export', 'Unmask'],
        state: 'ACTIVE', approvers: 'bob, dana', expiry: '1h 30m left', usage: '3 runs · 1 export · last used 5m ago', revocable: true,
      });
      assert.deepEqual([rows[0].approvers, rows[0].usage], ['nobody (auto-approved)', 'never used']);
      assert.deepEqual([rows[3].expiry, rows[3].usage, rows[3].revocable], ['revoked by bob 2h ago', '1 run · 0 exports · last used 1d ago', false]);
      assert.deepEqual([rows[1].name, rows[1].requester, rows[1].approvers, rows[1].expiry, rows[1].revocable], ['role sqlEditorUser', 'carol', 'bob', '1h left', true]);
    });

    it('says when a grant expired and that a pending one is not active yet', () => {
      const rows = reviewRows([reviewed({ id: 'g-4', state: 'EXPIRED', expireTime: minutesFromNow(-180) }), reviewed({ id: 'g-5', state: 'PENDING', expireTime: undefined, createTime: minutesFromNow(-1) })], [], NOW);
      assert.deepEqual(rows.map((r) => [r.id, r.expiry, r.revocable]), [['g-5', 'not active yet', false], ['g-4', 'expired 3h ago', false]]);
    });
  });
});
