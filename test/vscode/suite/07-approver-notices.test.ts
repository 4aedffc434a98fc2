// bob, the project owner, in his editor: told when alice's request awaits him (also when it was
// sent while he was signed out), deciding from the notification, the view's badge counting
// what awaits him, and the Access Grants review that members are not offered.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { USERS, client, requestAccess, type Request } from '../kit/api';
import { commandId, extension, inputAnswers, messageAnswers, serviceUrl, shown, viewBadge, waitFor } from './helpers';

const ON = 'on demo/hr_us, demo/hr_eu';
const notice = (statement: string) => `alice requests ${statement} ${ON}.`;
const signIn = (user: keyof typeof USERS) => vscode.commands.executeCommand(commandId('Sign In'), USERS[user].token);
const request = (id: string) => client(serviceUrl, 'bob').get<Request & { steps: { decision?: string; comment?: string }[] }>(`/requests/${id}`);
const shownText = (text: string) => waitFor(() => shown.some((m) => m.text === text), { timeoutMs: 20_000, what: `"${text}" shown` });

describe('approver notices', () => {
  before(async () => {
    await extension().activate();
    await signIn('bob');
  });

  after(async () => {
    messageAnswers.splice(0);
    await signIn('alice');
  });

  it('tells bob that alice\'s request awaits him, and Approve approves it', async () => {
    const statement = 'SELECT id FROM employees WHERE id = 11';
    messageAnswers.push({ text: /WHERE id = 11 /, pick: 'Approve' });
    const { request: created } = await requestAccess(serviceUrl, 'alice', { statement });
    await shownText(notice(statement));
    await waitFor(async () => (await request(created.id)).status === 'APPROVED', { what: 'the request approved from the notification' });
    assert.equal((await request(created.id)).steps[0].decision, 'APPROVED');
  });

  it('Reject asks why, and rejects with that comment', async () => {
    const statement = 'SELECT id FROM employees WHERE id = 12';
    messageAnswers.push({ text: /WHERE id = 12 /, pick: 'Reject' });
    inputAnswers.push('too broad for the ticket');
    const { request: created } = await requestAccess(serviceUrl, 'alice', { statement });
    await waitFor(async () => (await request(created.id)).status === 'REJECTED', { what: 'the request rejected from the notification' });
    assert.equal((await request(created.id)).steps[0].comment, 'too broad for the ticket');
  });

  it('shows on reconnect a notice sent while bob was signed out', async () => {
    await vscode.commands.executeCommand(commandId('Sign Out'));
    const statement = 'SELECT id FROM employees WHERE id = 13';
    await requestAccess(serviceUrl, 'alice', { statement });
    assert.ok(!shown.some((m) => m.text === notice(statement)), 'nothing shown while signed out');
    await signIn('bob');
    await shownText(notice(statement));
  });

  it('badges the view with the requests awaiting bob, and counts down when alice cancels one', async () => {
    const awaiting = async () => (await client(serviceUrl, 'bob').get<{ requests: Request[] }>('/requests?view=to-approve')).requests.filter((r) => r.status === 'OPEN');
    const { request: withdrawn } = await requestAccess(serviceUrl, 'alice', { statement: 'SELECT id FROM employees WHERE id = 14' });
    const open = await awaiting();
    assert.ok(open.length >= 2, `several requests await bob (${open.length})`);
    await waitFor(() => viewBadge()?.value === open.length, { timeoutMs: 20_000, what: `the badge to read ${open.length} (reads ${viewBadge()?.value})` });
    assert.match(viewBadge()?.tooltip ?? '', new RegExp(`^${open.length} requests await your approval$`));
    await client(serviceUrl, 'alice').post(`/requests/${withdrawn.id}/cancel`, {});
    await waitFor(() => viewBadge()?.value === open.length - 1, { timeoutMs: 20_000, what: `the badge to read ${open.length - 1} after the cancel (reads ${viewBadge()?.value})` });
  });

  it('opens the Access Grants review for bob, and tells alice, a member, who reviews instead', async () => {
    await vscode.commands.executeCommand('jitAccess.reviewGrants');
    const tabs = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).map((t) => t.label);
    await waitFor(() => tabs().includes('Access Grants review'), { what: 'the review page' });
    await signIn('alice');
    await waitFor(async () => {
      await vscode.commands.executeCommand('jitAccess.reviewGrants');
      return shown.some((m) => m.text.startsWith('Only project owners, workspace DBAs and workspace admins review access grants.'));
    }, { what: 'the message for members' });
  });
});
