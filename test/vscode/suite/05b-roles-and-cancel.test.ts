// Issue 16 in the editor, for alice against the real service: a role bob approved runs her
// statements (the "Run with role" lens, Run Query), she gives it back early (Revoke Role, also
// offered by the status bar), and she cancels a request still waiting (Cancel Request). Runs
// after the CodeLens file, which expects alice to hold no role yet.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { approveAll, client, DATABASES, requestAccess, requestRole, STATEMENT } from '../kit/api';
import { SQL_FILE, UNCOVERED_STATEMENT } from '../kit/workspace';
import {
  codeLensTitles, commandId, extension, inputAnswers, manifest, messageAnswers, openSqlFile, pickAnswers, refreshUntil, sectionRows, serviceUrl, shown, statusBarItems, waitFor,
} from './helpers';

interface AuditLine {
  action: string;
  actor: string;
  database?: string;
  statement?: string;
  outcome?: string;
}

/** What the service audited of alice's direct queries, newest first (read as the admin). */
async function aliceQueries(): Promise<AuditLine[]> {
  const { entries } = await client(serviceUrl, 'admin').get<{ entries: AuditLine[] }>('/audit?user=alice&action=project.query');
  return entries;
}

async function aliceBindings(state: string): Promise<{ id: string; state: string; revokedBy?: string }[]> {
  const { roleBindings } = await client(serviceUrl, 'bob').get<{ roleBindings: { id: string; state: string; revokedBy?: string }[] }>(`/projects/shop/role-bindings?user=alice&state=${state}`);
  return roleBindings;
}

const messagesSince = (seen: number) => shown.slice(seen).map((m) => `${m.severity}: ${m.text}`);

describe('roles and cancel (issue 16)', () => {
  let doc: vscode.TextDocument;
  const roleLens = `Run with role sqlEditorUser on ${DATABASES[0]}`;

  before(async () => {
    await extension().activate();
    doc = await openSqlFile(SQL_FILE);
  });

  describe('with a role bob approved', () => {
    before(async () => {
      // Shorter than alice's grants from the earlier files, so the status bar counts it down.
      const { request } = await requestRole(serviceUrl, 'alice', { duration: '20m' });
      await approveAll(serviceUrl, request.id);
    });

    it('shows "Run with role" beside the lens of every statement, running the statement with Run Query', async () => {
      const titles = await waitFor(async () => {
        await vscode.commands.executeCommand(commandId('Refresh'));
        const titles = await codeLensTitles(doc);
        return titles.includes(roleLens) ? titles : undefined;
      }, { what: 'a "Run with role" lens', intervalMs: 500 });
      assert.deepEqual(titles.filter((t) => t === roleLens).length, 2, titles.join('\n'));
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
      const second = lenses.filter((l) => l.command?.title === roleLens)[1];
      assert.equal(second.command?.command, commandId('Run Query'));
      assert.deepEqual(second.command?.arguments, [{ statement: UNCOVERED_STATEMENT, uri: doc.uri.toString() }]);
    });

    it('runs the lens\'s statement on the role\'s database, audited as alice\'s direct query', async () => {
      const seen = shown.length;
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
      const lens = lenses.filter((l) => l.command?.title === roleLens)[1];
      await vscode.commands.executeCommand(lens.command!.command, ...(lens.command!.arguments ?? []));
      const [last] = await aliceQueries();
      const { action, actor, database, statement } = last;
      assert.deepEqual({ action, actor, database, statement }, { action: 'project.query', actor: 'alice', database: DATABASES[0], statement: UNCOVERED_STATEMENT });
      assert.notEqual(last.outcome, 'denied');
      assert.deepEqual(messagesSince(seen).filter((m) => m.startsWith('error')), []);
    });

    it('runs the statement under the cursor from the palette', async () => {
      const editor = await vscode.window.showTextDocument(doc);
      const at = doc.positionAt(doc.getText().indexOf(STATEMENT) + 3);
      editor.selection = new vscode.Selection(at, at);
      await vscode.commands.executeCommand(commandId('Run Query'));
      const [last] = await aliceQueries();
      assert.equal(last.statement, STATEMENT);
      assert.equal(last.database, DATABASES[0]);
    });

    it('runs the statement under the cursor from the editor title, which passes the file', async () => {
      const editor = await vscode.window.showTextDocument(doc);
      const at = doc.positionAt(doc.getText().indexOf(UNCOVERED_STATEMENT));
      editor.selection = new vscode.Selection(at, at);
      const menu = (manifest().contributes as unknown as { menus: Record<string, { command: string; when: string }[]> }).menus['editor/title'];
      assert.ok(menu.some((m) => m.command === commandId('Run Query') && m.when === 'resourceLangId == sql'), JSON.stringify(menu));
      await vscode.commands.executeCommand(commandId('Run Query'), doc.uri);
      const [last] = await aliceQueries();
      assert.equal(last.statement, UNCOVERED_STATEMENT);
    });

    it('offers Revoke Role from the status bar while the role runs out first', async () => {
      const [binding] = await aliceBindings('ACTIVE');
      assert.ok(binding, 'alice holds an active binding');
      const item = await waitFor(() => statusBarItems.find((i) => typeof i.command === 'object' && i.command.command === commandId('Revoke Role')), { what: 'the status bar offering Revoke Role', intervalMs: 200 });
      assert.deepEqual((item.command as vscode.Command).arguments, [binding.id]);
      assert.match(String(item.tooltip), /Role sqlEditorUser in shop expires first .*Click to revoke it\./);
    });

    it('keeps the role when the confirmation is dismissed', async () => {
      const [binding] = await aliceBindings('ACTIVE');
      // A reason ready to be given: only the dismissed confirmation keeps the role.
      inputAnswers.push('not asked');
      await vscode.commands.executeCommand(commandId('Revoke Role'), binding.id);
      inputAnswers.length = 0;
      assert.equal((await aliceBindings('ACTIVE')).length, 1);
    });

    it('revokes the role with a reason once confirmed, and the lens and Run Query stop offering it', async () => {
      const [binding] = await aliceBindings('ACTIVE');
      const seen = shown.length;
      messageAnswers.push({ text: /^Revoke your role sqlEditorUser/, pick: 'Revoke' });
      inputAnswers.push('Question answered');
      await vscode.commands.executeCommand(commandId('Revoke Role'));
      const revoked = (await aliceBindings('REVOKED')).find((b) => b.id === binding.id);
      assert.equal(revoked?.revokedBy, 'alice');
      assert.ok(messagesSince(seen).includes('info: Revoked your role sqlEditorUser in shop.'), messagesSince(seen).join('\n'));
      const titles = await waitFor(async () => {
        const titles = await codeLensTitles(doc);
        return titles.includes(roleLens) ? undefined : titles;
      }, { what: 'the "Run with role" lens to go', intervalMs: 200 });
      assert.equal(titles.length, 2, titles.join('\n'));

      const before = (await aliceQueries()).length;
      await vscode.commands.executeCommand(commandId('Run Query'), { statement: STATEMENT, uri: doc.uri.toString() });
      assert.match(shown.at(-1)!.text, /^You hold no role that allows querying a database\. Request a role/);
      assert.equal((await aliceQueries()).length, before, 'nothing ran');
    });
  });

  describe('with a role on both databases', () => {
    // Its own file key: the SQL file above remembers the first database already.
    const args = { statement: STATEMENT, uri: 'untitled:Untitled-roles' };

    before(async () => {
      const { request } = await requestRole(serviceUrl, 'alice', { databases: [...DATABASES] });
      await approveAll(serviceUrl, request.id);
      await vscode.commands.executeCommand(commandId('Refresh'));
    });

    after(async () => {
      for (const b of await aliceBindings('ACTIVE')) await client(serviceUrl, 'alice').post(`/role-bindings/${b.id}/revoke`);
    });

    it('asks for the database once per file, then runs on the one picked without asking', async () => {
      pickAnswers.push(DATABASES[1]);
      await vscode.commands.executeCommand(commandId('Run Query'), args);
      assert.equal(pickAnswers.length, 0, 'asked');
      const count = (await aliceQueries()).length;
      assert.equal((await aliceQueries())[0].database, DATABASES[1]);

      await vscode.commands.executeCommand(commandId('Run Query'), args);
      const queries = await aliceQueries();
      assert.equal(queries.length, count + 1, 'ran again without a pick');
      assert.equal(queries[0].database, DATABASES[1]);
    });
  });

  describe('a pending request of alice\'s', () => {
    const PENDING = 'SELECT name FROM employees WHERE id = 3';
    let requestId: string;

    before(async () => {
      ({ request: { id: requestId } } = await requestAccess(serviceUrl, 'alice', { statement: PENDING }));
    });

    // Request ids are short sequence numbers, shown whole: "Your request #7 in shop".
    const isIt = (tooltip: string) => tooltip.startsWith(`Your request #${requestId} `);
    const pendingRow = async () => (await sectionRows('Pending')).find((r) => isIt(r.tooltip));

    it('offers Cancel Request on its tree item', async () => {
      await refreshUntil('the pending request', (rows) => Boolean(rows.find((r) => r.label === 'Pending')?.children.some((c) => isIt(c.tooltip))));
      const row = await pendingRow();
      assert.equal(row?.contextValue, 'request:mine');
      const menus = (manifest().contributes as unknown as { menus: Record<string, { command: string; when: string }[]> }).menus['view/item/context'];
      const cancel = menus.filter((m) => m.command === commandId('Cancel Request'));
      assert.ok(cancel.length > 0 && cancel.every((m) => m.when.includes('viewItem == request:mine')), JSON.stringify(cancel));
    });

    it('stays open when the confirmation is dismissed', async () => {
      await vscode.commands.executeCommand(commandId('Cancel Request'), requestId);
      assert.equal((await client(serviceUrl, 'alice').get<{ status: string }>(`/requests/${requestId}`)).status, 'OPEN');
    });

    it('is canceled once confirmed, and leaves the Pending section', async () => {
      const seen = shown.length;
      messageAnswers.push({ text: /^Cancel request #/, pick: 'Cancel Request' });
      await vscode.commands.executeCommand(commandId('Cancel Request'), { requestId });
      assert.equal((await client(serviceUrl, 'alice').get<{ status: string }>(`/requests/${requestId}`)).status, 'CANCELED');
      assert.ok(messagesSince(seen).some((m) => /^info: Canceled request #/.test(m)), messagesSince(seen).join('\n'));
      // The command's own reload may give way to one the cancel's event started: wait for it, no Refresh.
      await waitFor(async () => (await pendingRow()) === undefined, { what: 'the request to leave Pending', intervalMs: 200 });
      assert.equal((await client(serviceUrl, 'bob').get<{ requests: { id: string }[] }>('/requests?view=to-approve')).requests.some((r) => r.id === requestId), false, 'bob is no longer asked');
    });
  });
});
