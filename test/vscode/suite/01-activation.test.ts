// Activation: the extension stays asleep until someone opens its view, runs one of its
// commands or opens a SQL file. Runs first: once active it cannot be made inactive again.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { extension, manifest, openSqlFile, viewId, waitFor } from './helpers';
import { SQL_FILE } from '../kit/workspace';

describe('activation', () => {
  it('waits for its view, its commands or a SQL file instead of starting with VS Code', () => {
    const events = manifest().activationEvents ?? [];
    for (const eager of ['*', 'onStartupFinished']) assert.ok(!events.includes(eager), `no "${eager}" in ${events}`);
    // Contributed views and commands activate an extension by themselves (VS Code ≥ 1.74);
    // SQL documents only through an explicit event.
    assert.ok(events.includes('onLanguage:sql'), `activationEvents ${JSON.stringify(events)} include onLanguage:sql`);
    assert.ok(viewId());
    assert.equal(extension().isActive, false, 'not active before anything asked for it');
  });

  it('activates when a SQL file is opened', async () => {
    const doc = await openSqlFile(SQL_FILE);
    assert.equal(doc.languageId, 'sql');
    await waitFor(() => extension().isActive, { what: 'the extension to activate' });
  });

  it('puts its view in its own activity-bar container', () => {
    const { viewsContainers, views } = manifest().contributes;
    const container = viewsContainers?.activitybar?.find((c) => views[c.id]?.some((v) => v.id === viewId()));
    assert.ok(container, 'the grants view sits in an activity-bar container');
    assert.equal(container.title, 'Just-In-Time Access');
  });

  it('has a view that VS Code can open', async () => {
    await vscode.commands.executeCommand(`${viewId()}.focus`);
  });
});
