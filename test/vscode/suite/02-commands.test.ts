// Every command the manifest contributes is registered once the extension runs — read from
// package.json, so a command added later is covered without touching this test.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { extension, manifest } from './helpers';

/** The commands CONTRACT.md promises, by title (category "JIT Access"). */
const CONTRACT_TITLES = [
  'Request Data Access', 'Request Role', 'Run Grant', 'Export Grant Result', 'Sign In', 'Sign Out',
  'Refresh', 'Approve Request', 'Reject Request', 'Revoke Grant',
];

describe('commands', () => {
  before(async () => {
    await extension().activate();
  });

  it('registers every contributed command', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = manifest().contributes.commands.map((c) => c.command).filter((id) => !registered.has(id));
    assert.deepEqual(missing, [], 'contributed but not registered');
  });

  it('contributes the commands of the contract, in the "JIT Access" category', () => {
    const commands = manifest().contributes.commands;
    const titles = commands.map((c) => c.title);
    assert.deepEqual(CONTRACT_TITLES.filter((t) => !titles.includes(t)), [], 'missing titles');
    for (const c of commands) assert.equal(c.category, 'JIT Access', `category of ${c.command}`);
  });
});
