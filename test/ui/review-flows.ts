// Issue 16 in bob's window (the project owner), after the issue-5 scenario:
//   1. alice asks to unmask; bob's notification's Review opens the request page with what an
//      approver weighs: the databases' environments (PROD), the rule, the tables, what it unmasks;
//   2. alice asks for data; bob gets a notification naming her and what she asks for, the view's
//      badge counts what awaits him, and he approves from the notification;
//   3. bob opens the Access Grants review, filters to alice's active access (grants and her
//      role), and revokes one grant with a reason; it leaves the list and is revoked for alice.
// Screenshots 19-23 in test-output/ui/.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { DATABASES, PROJECT, approveAll, client, requestAccess, type Grant, type Request } from '../vscode/kit/api.js';
import type { Service } from '../vscode/kit/service.js';
import { waitFor } from '../vscode/kit/wait.js';
import { activeWebview, dismissToasts, expectToast, quickInput, runCommand } from './workbench.js';

export interface Stage {
  service: Service;
  bob: Page;
}

type Step = [string, () => Promise<void>];

export function reviewFlows(stage: () => Stage, shot: (page: Page, name: string) => Promise<void>, container: string): Step[] {
  return [
    ['bob reviews an Unmask request from its notification: PROD databases, rule, tables read and the columns it reveals', async () => {
      const { service, bob } = stage();
      await dismissToasts(bob);
      const statement = 'SELECT email FROM employees WHERE id = 3';
      await requestAccess(service.url, 'alice', { statement, unmask: true });
      const toast = await expectToast(bob, `alice requests ${statement} on ${DATABASES.join(', ')} (step 1 of 2 awaits you).`);
      await toast.locator('.monaco-button', { hasText: 'Review' }).click();
      const page = activeWebview(bob);
      await page.locator('.request', { hasText: statement }).waitFor();
      assert.deepEqual(await page.locator('.context-databases li').allTextContents(), DATABASES.map((d) => `${d} (prod)PROD`));
      assert.deepEqual(await page.locator('.tables-read li').allTextContents(), DATABASES.map((d) => `${d}: employees`));
      assert.deepEqual(await page.locator('.reveals li').allTextContents(), DATABASES.map((d) => `${d}: employees.email`));
      await page.locator('dd', { hasText: 'Unmask needs the owner then a DBA (REQUEST_ACCESS)' }).waitFor();
      await shot(bob, '19-bob-reviews-unmask-request');
    }],

    ['bob is notified of alice\'s request, the badge counts it, and he approves from the notification', async () => {
      const { service, bob } = stage();
      await dismissToasts(bob);
      const statement = 'SELECT name FROM employees WHERE id = 2';
      const { request } = await requestAccess(service.url, 'alice', { statement, databases: [DATABASES[0]] });
      const toast = await expectToast(bob, `alice requests ${statement} on ${DATABASES[0]}.`);
      const { requests } = await client(service.url, 'bob').get<{ requests: Request[] }>('/requests?view=to-approve');
      const awaiting = requests.filter((r) => r.status === 'OPEN').length;
      const badge = bob.locator('.activitybar .action-item', { has: bob.locator(`.action-label[aria-label^="${container}"]`) }).locator('.badge-content');
      await badge.filter({ hasText: new RegExp(`^${awaiting}$`) }).waitFor();
      await shot(bob, '20-bob-notified');
      await toast.locator('.monaco-button', { hasText: 'Approve' }).click();
      await expectToast(bob, /Approved request/);
      await shot(bob, '21-bob-approved-from-notification');
      assert.equal((await client(service.url, 'bob').get<Request>(`/requests/${request.id}`)).status, 'APPROVED');
    }],

    ['bob reviews the project\'s grants, filters to alice\'s active access and revokes a grant', async () => {
      const { service, bob } = stage();
      const { grant } = await requestAccess(service.url, 'alice', { statement: 'SELECT id FROM employees', databases: [DATABASES[1]], reason: 'Count the staff' });
      await approveAll(service.url, grant.requestId);
      const { request: roleRequest } = await client(service.url, 'alice').post<{ request: Request }>(`/projects/${PROJECT}/role-requests`, {
        role: 'sqlEditorUser', databases: [DATABASES[0]], duration: '2h', reason: 'Query the payroll tables',
      });
      await approveAll(service.url, roleRequest.id, ['bob']);
      await dismissToasts(bob);

      await runCommand(bob, 'JIT Access: Access Grants');
      const view = activeWebview(bob);
      await view.locator('.review-table').waitFor();
      await view.locator('#review-user input').fill('alice');
      await view.locator('#review-state').click();
      await view.locator('#review-state [role="option"]', { hasText: 'ACTIVE' }).click();
      await view.locator('#review-apply').click();
      const states = () => view.locator('.review-row .state').allTextContents();
      await waitFor(async () => { const s = await states(); return s.length > 0 && s.every((t) => t === 'ACTIVE'); }, { what: 'only active rows' });
      assert.deepEqual([...new Set(await view.locator('.review-row .requester').allTextContents())], ['alice']);
      const row = view.locator(`.review-row[data-id="${grant.id}"]`);
      assert.match(await row.innerText(), /SELECT id FROM employees/);
      assert.match(await row.locator('.expiry').innerText(), /left$/);
      await view.locator('.review-row[data-kind="role"]', { hasText: 'sqlEditorUser' }).waitFor();
      await shot(bob, '22-review-filtered');

      await row.locator('.revoke').click();
      await bob.locator('.monaco-dialog-box .monaco-button', { hasText: 'Revoke' }).click();
      await quickInput(bob).fill('Wrong table for the ticket');
      await bob.keyboard.press('Enter');
      await view.locator('.review-status', { hasText: 'Revoked grant #' }).waitFor();
      await row.waitFor({ state: 'detached' });
      await shot(bob, '23-review-revoked');
      const revoked = await client(service.url, 'alice').get<Grant & { revokedBy?: string }>(`/grants/${grant.id}`);
      assert.deepEqual([revoked.state, revoked.revokedBy], ['REVOKED', 'bob']);
    }],
  ];
}
