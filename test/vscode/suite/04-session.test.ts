// Who the extension talks as: JIT_ACCESS_TOKEN (alice, set by test/vscode/run.ts) while no
// token is stored; a token stored by Sign In (bob's here) wins; after Sign Out nobody.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { USERS, requestAccess } from '../kit/api';
import { commandId, extension, inputAnswers, refreshUntil, render, serviceUrl, type Row } from './helpers';

const toApprove = (rows: Row[]) => rows.find((r) => r.label === 'To approve')?.children ?? [];
const hasRequestToApprove = (rows: Row[]) => toApprove(rows).some((r) => r.contextValue !== 'message');

describe('sign-in', () => {
  before(async () => {
    await extension().activate();
    await requestAccess(serviceUrl, 'alice', { statement: 'SELECT id, name FROM employees', reason: 'bob approves this one' });
  });

  after(async () => {
    // The tests that follow run as alice again; Sign In also takes the token as an argument.
    await vscode.commands.executeCommand(commandId('Sign In'), USERS.alice.token);
  });

  it('uses JIT_ACCESS_TOKEN when no token is stored', async () => {
    const rows = await refreshUntil('alice\'s tree', (rows) => rows.some((r) => r.label === 'Active'));
    assert.ok(!hasRequestToApprove(rows), `alice approves nothing:\n${render(rows)}`);
  });

  it('Sign In asks for a token, which wins over the environment', async () => {
    inputAnswers.push(USERS.bob.token);
    await vscode.commands.executeCommand(commandId('Sign In'));
    assert.equal(inputAnswers.length, 0, 'Sign In asked for the token');
    const rows = await refreshUntil('bob\'s requests to approve', hasRequestToApprove);
    assert.ok(toApprove(rows).some((r) => r.label.includes('alice')), render(rows));
  });

  it('Sign Out signs out, without falling back to the environment\'s token', async () => {
    await vscode.commands.executeCommand(commandId('Sign Out'));
    const rows = await refreshUntil('the sign-in prompt', (rows) => rows.length === 1 && /^Sign in/.test(rows[0].label));
    assert.equal(rows[0].label, 'Sign in to Just-In-Time Access');
  });
});
