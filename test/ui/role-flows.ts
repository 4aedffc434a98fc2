// Issue 16's flows in alice's window, after the issue-5 scenario (her grant has expired by
// then, so only a role lets her query): bob approves her sqlEditorUser role, the "Run with
// role" lens shows the rows (masked: a role never unmasks); she revokes the role from the
// status bar; she cancels one pending request from the tree and another from its page.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { DATABASES, approveAll, client, requestAccess, requestRole } from '../vscode/kit/api.js';
import { EMPLOYEES, type Service } from '../vscode/kit/service.js';
import { waitFor } from '../vscode/kit/wait.js';
import { SQL_FILE } from '../vscode/kit/workspace.js';
import { activeWebview, codeLens, dismissToasts, expectToast, gridRows, openContainer, quickInput, runCommand, treeRow } from './workbench.js';

export interface FlowContext {
  service(): Service;
  alice(): Page;
  shot(page: Page, name: string): Promise<void>;
}

type Step = [string, () => Promise<void>];

/** A button of the modal dialog the web workbench shows for `{ modal: true }` messages. */
const dialogButton = (page: Page, label: string) => page.locator('.monaco-dialog-box .monaco-button', { hasText: label });

export function roleSteps(ctx: FlowContext): Step[] {
  const ROLE_LENS = `Run with role sqlEditorUser on ${DATABASES[0]}`;
  const bindings = async (state: string) =>
    (await client(ctx.service().url, 'bob').get<{ roleBindings: { id: string; revokedBy?: string }[] }>(`/projects/shop/role-bindings?user=alice&state=${state}`)).roleBindings;

  return [
    ['with a role bob approved, the "Run with role" lens shows the rows, email masked', async () => {
      const alice = ctx.alice();
      const { request } = await requestRole(ctx.service().url, 'alice', { duration: '30m' });
      await approveAll(ctx.service().url, request.id, ['bob']);
      await dismissToasts(alice);
      await alice.getByRole('tab', { name: SQL_FILE, exact: true }).click();
      const lens = codeLens(alice, ROLE_LENS).first();
      await lens.waitFor();
      await ctx.shot(alice, '12-codelens-run-with-role');
      await lens.click();
      const results = activeWebview(alice);
      await results.getByRole('heading', { name: `Results of role sqlEditorUser on ${DATABASES[0]}` }).waitFor();
      const rows = await gridRows(results);
      assert.deepEqual(rows.map((r) => r.slice(0, 2)), EMPLOYEES.map(([id, name]) => [String(id), name]));
      // Partially masked: the first and last characters stay, the rest does not show.
      rows.forEach((r, i) => {
        assert.notEqual(r[2], EMPLOYEES[i][2]);
        assert.ok(r[2].startsWith(EMPLOYEES[i][2].slice(0, 3)), r[2]);
      });
      await ctx.shot(alice, '13-results-with-role');
    }],

    ['alice revokes the role from the status bar; the lens goes', async () => {
      const alice = ctx.alice();
      const [binding] = await bindings('ACTIVE');
      await alice.getByRole('tab', { name: SQL_FILE, exact: true }).click();
      await alice.locator('.statusbar-item', { hasText: /JIT \d+m left/ }).click();
      await dialogButton(alice, 'Revoke').waitFor();
      await ctx.shot(alice, '14-revoke-role-confirm');
      await dialogButton(alice, 'Revoke').click();
      await quickInput(alice).fill('Payroll question answered');
      await alice.keyboard.press('Enter');
      await expectToast(alice, 'Revoked your role sqlEditorUser in shop.');
      await waitFor(async () => (await codeLens(alice, 'Run with role').count()) === 0, { intervalMs: 500, what: 'the "Run with role" lenses to go' });
      await ctx.shot(alice, '15-role-revoked');
      const revoked = (await bindings('REVOKED')).find((b) => b.id === binding.id);
      assert.equal(revoked?.revokedBy, 'alice');
    }],

    ['alice cancels a pending request from the tree, and another from its page', async () => {
      const alice = ctx.alice();
      const url = ctx.service().url;
      const { request: fromTree } = await requestAccess(url, 'alice', { statement: 'SELECT name FROM employees WHERE id = 1' });
      const { request: fromPage } = await requestAccess(url, 'alice', { statement: 'SELECT name FROM employees WHERE id = 2' });
      await dismissToasts(alice);
      await openContainer(alice, 'Just-In-Time Access');
      await runCommand(alice, 'JIT Access: Refresh');
      const row = treeRow(alice, new RegExp(`^#${fromTree.id} `));
      await row.hover();
      await row.locator('.action-label[aria-label="Cancel Request"]').click();
      await dialogButton(alice, 'Cancel Request').click();
      await expectToast(alice, `Canceled request #${fromTree.id}.`);
      await row.waitFor({ state: 'detached' });
      await ctx.shot(alice, '16-canceled-from-tree');

      await treeRow(alice, new RegExp(`^#${fromPage.id} `)).click();
      const page = activeWebview(alice);
      await page.locator('vscode-button', { hasText: 'Cancel Request' }).click();
      await dialogButton(alice, 'Cancel Request').click();
      await page.locator('.status', { hasText: 'CANCELED' }).waitFor();
      assert.equal(await page.locator('vscode-button', { hasText: 'Cancel Request' }).count(), 0, 'no Cancel Request once canceled');
      await ctx.shot(alice, '17-canceled-from-page');
      for (const r of [fromTree, fromPage]) assert.equal((await client(url, 'alice').get<{ status: string }>(`/requests/${r.id}`)).status, 'CANCELED');
    }],
  ];
}
