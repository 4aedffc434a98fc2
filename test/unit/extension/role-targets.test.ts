import assert from 'node:assert/strict';
import type { AccessSnapshot } from '../../../extension/core/access-state.js';
import type { Me, WorkspaceSettings } from '../../../extension/core/api-types.js';
import { chosenTarget, revocableRoles, roleLabel, roleLensTitle, roleTargets, targetKey } from '../../../extension/core/role-targets.js';
import { statementLenses } from '../../../extension/core/statement-lenses.js';
import { statusText } from '../../../extension/core/status-text.js';
import { isPageMessage } from '../../../webview/protocol.js';
import { me, minutesFromNow, NOW, project } from './fixtures.js';

const PROJECTS = [project('shop', ['demo/hr_us', 'demo/hr_eu']), project('ops', ['demo/logs'])];

type HeldRole = Me['projects'][number]['roles'][number];

function snapshot(roles: Record<string, HeldRole[]>, enableDataExport = true): AccessSnapshot {
  return {
    status: 'ready',
    projects: PROJECTS,
    grants: [],
    myRequests: [],
    toApprove: [],
    settings: { enableDataExport } as WorkspaceSettings,
    me: me(roles),
  };
}

describe('where a role lets the user query', () => {
  it('covers every database of the project for a role without a database limit', () => {
    const targets = roleTargets(snapshot({ shop: [{ role: 'sqlEditorUser', expireTime: minutesFromNow(30), bindingId: 'b-1' }] }), NOW);
    assert.deepEqual(targets, [
      { project: 'shop', database: 'demo/hr_us', role: 'sqlEditorUser', canExport: false },
      { project: 'shop', database: 'demo/hr_eu', role: 'sqlEditorUser', canExport: false },
    ]);
  });

  it('keeps a binding to the databases it was granted on', () => {
    const targets = roleTargets(snapshot({ shop: [{ role: 'sqlEditorUser', databases: ['demo/hr_eu'], expireTime: minutesFromNow(30) }] }), NOW);
    assert.deepEqual(targets.map(targetKey), ['shop/demo/hr_eu']);
  });

  it('offers nothing for roles that do not allow querying, nor for an expired binding', () => {
    assert.deepEqual(roleTargets(snapshot({ shop: [{ role: 'projectDeveloper' }, { role: 'projectReleaser' as HeldRole['role'] /* a role a newer service may add */ }] }), NOW), []);
    assert.deepEqual(roleTargets(snapshot({ shop: [{ role: 'sqlEditorUser', expireTime: minutesFromNow(-1) }] }), NOW), []);
  });

  it('counts standing project owners and exporters, across projects', () => {
    const targets = roleTargets(snapshot({ shop: [{ role: 'projectOwner' }], ops: [{ role: 'projectExporter' }] }), NOW);
    assert.deepEqual(targets.map((t) => [targetKey(t), t.role]), [['shop/demo/hr_us', 'projectOwner'], ['shop/demo/hr_eu', 'projectOwner'], ['ops/demo/logs', 'projectExporter']]);
  });

  it('allows export only with projectExporter on that database, and only when the workspace allows direct export', () => {
    const roles: Record<string, HeldRole[]> = { shop: [{ role: 'sqlEditorUser' }, { role: 'projectExporter', databases: ['demo/hr_us'] }] };
    assert.deepEqual(roleTargets(snapshot(roles), NOW).map((t) => [t.database, t.canExport]), [['demo/hr_us', true], ['demo/hr_eu', false]]);
    assert.deepEqual(roleTargets(snapshot(roles, false), NOW).map((t) => t.canExport), [false, false]);
  });
});

describe('the database a file runs on', () => {
  const targets = roleTargets(snapshot({ shop: [{ role: 'sqlEditorUser' }] }), NOW);

  it('asks when several databases are possible and nothing is remembered', () => {
    assert.equal(chosenTarget(targets, undefined), undefined);
    assert.equal(roleLensTitle(targets, undefined), 'Run with role…');
  });

  it('uses the one remembered for the file, and names it in the lens', () => {
    assert.equal(chosenTarget(targets, 'shop/demo/hr_eu')?.database, 'demo/hr_eu');
    assert.equal(roleLensTitle(targets, 'shop/demo/hr_eu'), 'Run with role sqlEditorUser on demo/hr_eu');
  });

  it('asks again when the remembered database is no longer covered', () => {
    assert.equal(chosenTarget(targets, 'ops/demo/logs'), undefined);
  });

  it('does not ask when only one database is possible', () => {
    assert.equal(chosenTarget(targets.slice(0, 1), undefined)?.database, 'demo/hr_us');
  });
});

describe('the Run with role lens', () => {
  const sql = 'SELECT 1;\nSELECT 2;';

  it('stands beside the grant lens of every statement while a role allows querying', () => {
    const targets = roleTargets(snapshot({ shop: [{ role: 'sqlEditorUser', databases: ['demo/hr_us'] }] }), NOW);
    const lenses = statementLenses(sql, [], NOW, { targets });
    assert.deepEqual(lenses.map((l) => l.title), ['Request Data Access', 'Run with role sqlEditorUser on demo/hr_us', 'Request Data Access', 'Run with role sqlEditorUser on demo/hr_us']);
    assert.deepEqual(lenses[3].action, { kind: 'runWithRole', statement: 'SELECT 2' });
    assert.equal(lenses[3].statement.start, lenses[2].statement.start, 'on its own statement');
  });

  it('is absent without such a role', () => {
    assert.deepEqual(statementLenses(sql, [], NOW, { targets: [] }).map((l) => l.title), ['Request Data Access', 'Request Data Access']);
  });
});

describe('roles the holder may revoke', () => {
  it('lists the unexpired time-boxed bindings, not the standing roles', () => {
    const roles = revocableRoles(snapshot({
      shop: [{ role: 'projectOwner' }, { role: 'sqlEditorUser', databases: ['demo/hr_us'], expireTime: minutesFromNow(65), bindingId: 'b-1' }, { role: 'projectExporter', expireTime: minutesFromNow(-1), bindingId: 'b-0' }],
    }), NOW);
    assert.deepEqual(roles.map((r) => r.bindingId), ['b-1']);
    assert.equal(roleLabel(roles[0], NOW), 'role sqlEditorUser in shop on demo/hr_us · 1h 5m left');
  });

  it('makes the status bar offer to revoke the role that runs out first', () => {
    const text = statusText(snapshot({ shop: [{ role: 'sqlEditorUser', expireTime: minutesFromNow(23), bindingId: 'b-1' }] }), NOW);
    assert.deepEqual(text, { text: 'JIT 23m left', tooltip: 'Role sqlEditorUser in shop expires first (23m left). Click to revoke it.', bindingId: 'b-1' });
  });
});

describe('the request page protocol', () => {
  it('accepts Cancel Request from the page', () => {
    assert.equal(isPageMessage({ type: 'request.decide', decision: 'cancel', comment: '' }), true);
  });
});
