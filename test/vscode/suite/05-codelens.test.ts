// CodeLens on a SQL document: "Run with grant …" above the statement an active grant covers,
// "Request Data Access" above the one nothing covers.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { STATEMENT, approveAll, requestAccess, type Grant } from '../kit/api';
import { SQL_FILE } from '../kit/workspace';
import { codeLensTitles, commandId, extension, openSqlFile, serviceUrl, waitFor } from './helpers';

describe('CodeLens', () => {
  let doc: vscode.TextDocument;

  before(async () => {
    await extension().activate();
    doc = await openSqlFile(SQL_FILE);
  });

  it('offers Request Data Access above every statement before any grant covers them', async () => {
    await vscode.commands.executeCommand(commandId('Refresh'));
    assert.deepEqual(await codeLensTitles(doc), ['Request Data Access', 'Request Data Access']);
  });

  it('reads "Run with grant" above the covered statement once a grant is approved', async () => {
    const { grant } = await requestAccess(serviceUrl, 'alice', { statement: STATEMENT });
    await approveAll(serviceUrl, grant.requestId);
    const titles = await waitFor(async () => {
      await vscode.commands.executeCommand(commandId('Refresh'));
      const titles = await codeLensTitles(doc);
      return titles[0]?.startsWith('Run with grant') ? titles : undefined;
    }, { what: 'a "Run with grant" lens', intervalMs: 500 });
    assert.equal(titles.length, 2);
    assert.match(titles[0], /left/, 'shows the time left');
    assert.equal(titles[1], 'Request Data Access');
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
    assert.equal(lenses[0].command?.command, commandId('Run Grant'));
    assert.deepEqual(lenses[0].command?.arguments, [grant.id], 'runs the covering grant');
    assert.equal(lenses[1].command?.command, commandId('Request Data Access'));
  });
});
