// When the service cannot be reached, the user is told so — in the tree and when a command
// fails — with the way out (start it, or fix jitAccess.serverUrl). Runs last: it points the
// extension at a dead address and back.
import assert from 'node:assert/strict';
import net from 'node:net';
import * as vscode from 'vscode';
import { commandId, extension, refreshUntil, render, serviceUrl, shown, waitFor } from './helpers';

/** A loopback URL nothing listens on: a port the kernel just handed out and took back. */
async function deadUrl(): Promise<string> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise((resolve) => srv.close(resolve));
  return `http://127.0.0.1:${port}`;
}

describe('service down', () => {
  const setting = () => vscode.workspace.getConfiguration('jitAccess');
  let dead: string;

  before(async () => {
    await extension().activate();
    dead = await deadUrl();
    await setting().update('serverUrl', dead, vscode.ConfigurationTarget.Workspace);
  });

  after(async () => {
    await setting().update('serverUrl', serviceUrl, vscode.ConfigurationTarget.Workspace);
  });

  it('says so in the tree, naming the address', async () => {
    const rows = await refreshUntil('the unreachable message', (rows) => rows.some((r) => r.label.includes('not reachable')));
    assert.equal(rows.length, 1, render(rows));
    assert.ok(rows[0].label.includes(dead), rows[0].label);
  });

  it('shows an error message when a command needs the service', async () => {
    const seen = shown.length;
    await vscode.commands.executeCommand(commandId('Request Role'));
    const error = await waitFor(() => shown.slice(seen).find((m) => m.severity === 'error'), { what: 'an error message' });
    assert.match(error.text, /not reachable/);
    assert.ok(error.text.includes(dead), error.text);
  });

  it('recovers when the service is back', async () => {
    await setting().update('serverUrl', serviceUrl, vscode.ConfigurationTarget.Workspace);
    await refreshUntil('the sections again', (rows) => rows.some((r) => r.label === 'Active'));
  });
});
