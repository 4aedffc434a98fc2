// The issue-5 scenario, as people would do it, in real VS Code (code-server) in chromium,
// against one real jit-server:
//   1. alice opens a .sql file, runs "JIT Access: Request Data Access" from the palette and
//      fills the form (two databases, Export and Unmask, a reason, a 60-second grant);
//   2. bob (his own code-server window) finds it under "To approve" and approves; the rule for
//      unmasking needs a DBA next, and dana approves through the API;
//   3. alice's tree shows the grant with Export and Unmask and the time left; the CodeLens
//      reads "Run with grant"; running shows the rows unmasked; the grid sorts, filters,
//      selects and copies (and stops copying when jitAccess.allowCopyData is off); exporting to
//      CSV writes the rows;
//   4. once the grant expires, the CodeLens is back to "Request Data Access", the tree lists
//      the grant under Expired, and running it is refused;
//   5. the audit log holds the request, both approvals, the run and the export, with the grant id;
//   6. issue 16 in bob's window: the approver notification, the badge, the review (review-flows.ts).
// Screenshots of every step go to test-output/ui/.
//
//   npx tsx test/ui/scenario.ts     (after test/setup/install-vscode.sh and `npm run build`)
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, startCodeServer, workbenchUrl, type CodeServer } from '../vscode/kit/code-server.js';
import { ApiError, DATABASES, STATEMENT, USERS, client, type AuditEntry, type Grant } from '../vscode/kit/api.js';
import { EMPLOYEES, startService, type Service } from '../vscode/kit/service.js';
import { waitFor } from '../vscode/kit/wait.js';
import { SQL_FILE, makeWorkspace } from '../vscode/kit/workspace.js';
import { reviewFlows } from './review-flows.js';
import { activeWebview, codeLens, dismissToasts, expectToast, gridCell, gridRows, openContainer, openFile, quickInput, runCommand, treeRow } from './workbench.js';
import { roleSteps } from './role-flows.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SHOTS = path.join(ROOT, 'test-output/ui');
const CONTAINER = 'Just-In-Time Access';
/** Long enough for step 3 (grid steps included) on a busy 2-core machine, short enough to watch it expire. */
const GRANT_SECONDS = 120;
const REASON = 'Reconcile the payroll export for ticket HR-1234';

// Set up before the steps run (definitely, or the steps do not run).
let service!: Service;
let alice!: Page;
let bob!: Page;
let workspace!: string;
let grant!: Grant;
let browser: Browser | undefined;
let servers: CodeServer[] = [];

/** The workspace settings the scenario starts with, plus `extra`. */
function writeSettings(extra: Record<string, unknown>): void {
  fs.writeFileSync(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify({ 'jitAccess.serverUrl': service.url, ...extra }, null, 2));
}

/** What the extension put on the clipboard (vscode.env.clipboard writes the browser's). */
async function clipboardText(page: Page): Promise<string> {
  return page.evaluate(() => navigator.clipboard.readText());
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

async function openWorkbench(browser: Browser, cs: CodeServer): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  // At load 30 on 2 cores the first CodeLens took over 30 s to appear.
  page.setDefaultTimeout(60_000);
  // Generous: two workbenches load at once, on 2 cores shared with whatever else runs.
  await page.goto(workbenchUrl(cs, workspace), { timeout: 120_000 });
  await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
  return page;
}

const steps: [string, () => Promise<void>][] = [
  ['alice signs in and opens the SQL file', async () => {
    // Opening the view activates the extension; on a busy machine the extension host takes a while.
    await openContainer(alice, CONTAINER);
    await treeRow(alice, 'Sign in to Just-In-Time Access').waitFor({ timeout: 120_000 });
    await shot(alice, '00-alice-signed-out');
    await runCommand(alice, 'JIT Access: Sign In');
    await quickInput(alice).fill(USERS.alice.token);
    await alice.keyboard.press('Enter');
    await expectToast(alice, 'Signed in to Just-In-Time Access as alice');
    await treeRow(alice, 'No active grants').waitFor();
    await openFile(alice, SQL_FILE);
    await codeLens(alice, 'Request Data Access').first().waitFor();
    await shot(alice, '01-alice-signed-in');
  }],

  ['alice requests data access through the form', async () => {
    await dismissToasts(alice);
    // Cursor on the first statement, whose text the form takes.
    await alice.locator('.monaco-editor .view-line', { hasText: 'SELECT id, name, email' }).click();
    await runCommand(alice, 'JIT Access: Request Data Access');
    const form = activeWebview(alice);
    await form.locator('form.request-form').waitFor();
    assert.equal(await form.locator('#statement').evaluate((e) => (e as HTMLTextAreaElement).value), STATEMENT);
    for (const db of DATABASES) {
      const box = form.locator(`vscode-checkbox[value="${db}"]`);
      if (!(await box.evaluate((e) => (e as HTMLInputElement).checked))) await box.click();
    }
    await form.locator('#export').click();
    await form.locator('#unmask').click();
    await form.locator('vscode-radio[value="custom"]').click();
    await form.locator('#customDuration input').fill(`${GRANT_SECONDS}s`);
    await form.locator('#reason textarea').fill(REASON);
    await shot(alice, '02-request-form');
    await form.locator('#submit').click();
    await form.getByRole('heading', { name: 'Request submitted' }).waitFor();
    await shot(alice, '03-request-submitted');
    const { grants: [pending] } = await client(service.url, 'alice').get<{ grants: Grant[] }>('/grants?state=PENDING');
    assert.ok(pending, 'alice has a pending grant');
    grant = pending;
    assert.deepEqual([...grant.databases].sort(), [...DATABASES].sort());
    assert.equal(grant.export, true);
    assert.equal(grant.unmask, true);
  }],

  ['bob approves it from To approve; dana approves the second step', async () => {
    await openContainer(bob, CONTAINER);
    const row = treeRow(bob, /alice/);
    await row.waitFor({ timeout: 120_000 });
    await shot(bob, '04-bob-to-approve');
    await row.click();
    const view = activeWebview(bob);
    await view.locator('vscode-button', { hasText: 'Approve' }).click();
    await expectToast(bob, /Approved request/);
    await shot(bob, '05-bob-approved');
    await client(service.url, 'dana').post(`/requests/${grant.requestId}/approve`, { comment: 'DBA ok' });
    grant = await client(service.url, 'alice').get<Grant>(`/grants/${grant.id}`);
    assert.equal(grant.state, 'ACTIVE');
  }],

  ['alice sees the active grant with Export and Unmask badges and the time left, and her request approved', async () => {
    // The row reads "#1 · 1m left" (or "42s left") then "Export · Unmask · demo/hr_us, demo/hr_eu".
    const row = treeRow(alice, /#\d+ · \d+[ms] left/).filter({ hasText: `Export · Unmask · ${DATABASES.join(', ')}` });
    await row.waitFor();
    await shot(alice, '06-alice-active-grant');
    // The "Request submitted" page followed both approvals instead of staying at step 1.
    await alice.locator('.tab', { hasText: 'Request Data Access' }).click();
    const submitted = activeWebview(alice);
    await submitted.locator('.status', { hasText: 'APPROVED' }).waitFor();
    assert.deepEqual(await submitted.locator('.steps .step-state').allTextContents(), ['approved by bob', 'approved by dana — DBA ok']);
    await shot(alice, '06-alice-request-approved');
  }],

  ['the CodeLens runs the grant and the results show the rows unmasked', async () => {
    await alice.locator('.tab', { hasText: SQL_FILE }).click();
    const lens = codeLens(alice, 'Run with grant');
    await lens.waitFor();
    await codeLens(alice, 'Request Data Access').waitFor(); // the second statement stays uncovered
    await shot(alice, '07-codelens-run-with-grant');
    await lens.click();
    const results = activeWebview(alice);
    assert.deepEqual(await gridRows(results), EMPLOYEES.map((e) => e.map(String)));
    await shot(alice, '08-results-unmasked');
  }],

  ['the grid sorts by a header, filters, selects with mouse and keys, and copies TSV and JSON', async () => {
    const results = activeWebview(alice);
    const name = results.locator('[role="columnheader"]', { hasText: 'name' });
    await name.click();
    await name.click();
    assert.equal(await name.getAttribute('aria-sort'), 'descending');
    assert.deepEqual((await gridRows(results)).map((r) => r[1]), ['Cleo Chen', 'Ben Brooks', 'Ann Archer']);
    await shot(alice, '08a-grid-sorted');

    await results.locator('#grid-filter input').fill('BROOKS');
    await waitFor(async () => (await gridRows(results)).length === 1, { what: 'the filter to leave one row' });
    assert.deepEqual(await gridRows(results), [EMPLOYEES[1].map(String)]);
    assert.equal(await results.locator('.grid-count').textContent(), '1 of 3 rows');
    await shot(alice, '08b-grid-filtered');
    await results.locator('#grid-filter input').fill('');
    await waitFor(async () => (await gridRows(results)).length === 3, { what: 'the filter to be cleared' });

    // Rows are in the sorted order: Cleo (3), Ben (2), Ann (1).
    await alice.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(alice.url()).origin });
    await gridCell(results, 0, 0).click();
    await gridCell(results, 1, 1).click({ modifiers: ['Shift'] });
    await alice.keyboard.press('Control+C');
    await results.locator('.export-status', { hasText: 'Copied 2 × 2 cells as TSV.' }).waitFor();
    assert.equal(await clipboardText(alice), '3\tCleo Chen\n2\tBen Brooks');

    await gridCell(results, 0, 1).click();
    await alice.keyboard.press('ArrowDown');
    await alice.keyboard.press('Shift+ArrowDown');
    assert.equal(await results.locator('#grid-active-cell').textContent(), 'Ann Archer');
    await results.locator('#copy-format').click();
    await results.locator('#copy-format [role="option"]', { hasText: 'JSON' }).click();
    await results.locator('#copy-headers').click();
    await results.locator('#copy-rows').click();
    await results.locator('.export-status', { hasText: 'Copied 2 rows as JSON with headers.' }).waitFor();
    assert.deepEqual(JSON.parse(await clipboardText(alice)), [EMPLOYEES[1], EMPLOYEES[0]].map(([id, n, email]) => ({ id, name: n, email })));
    assert.match(await results.locator('.cell-detail').innerText(), /name · .* · row 3/);
    await shot(alice, '08c-grid-copied-json');
  }],

  ['with jitAccess.allowCopyData off the grid hides copying and Ctrl+C says why', async () => {
    const results = activeWebview(alice);
    writeSettings({ 'jitAccess.allowCopyData': false });
    await results.locator('.copy-off').waitFor();
    assert.equal(await results.locator('#copy-rows').isVisible(), false);
    await gridCell(results, 0, 0).click();
    await alice.evaluate(() => navigator.clipboard.writeText('before'));
    await alice.keyboard.press('Control+C');
    await results.locator('.export-status', { hasText: 'turned off by the jitAccess.allowCopyData setting' }).waitFor();
    assert.equal(await clipboardText(alice), 'before');
    await shot(alice, '08d-grid-copy-off');
    writeSettings({});
    await results.locator('#copy-rows').waitFor();
  }],

  ['exporting to CSV writes a file with the same rows', async () => {
    const results = activeWebview(alice);
    await results.locator('vscode-button', { hasText: 'Export CSV' }).click();
    // The web workbench's save dialog is a quick input holding the proposed path.
    await waitFor(async () => (await quickInput(alice).inputValue()).endsWith('.csv'), { what: 'the save dialog' });
    const target = await quickInput(alice).inputValue();
    await alice.keyboard.press('Enter');
    await expectToast(alice, /Exported grant/);
    await shot(alice, '09-exported-csv');
    const file = path.isAbsolute(target) ? target : path.join(workspace, target);
    const lines = fs.readFileSync(file, 'utf8').trim().split(/\r?\n/);
    assert.equal(lines[0], 'id,name,email');
    assert.deepEqual(lines.slice(1), EMPLOYEES.map((e) => e.join(',')));
  }],

  ['after expiry the CodeLens asks for access again, the tree lists it as expired and Run is refused', async () => {
    await alice.locator('.tab', { hasText: SQL_FILE }).click();
    const left = Date.parse(grant.expireTime!) - Date.now();
    await waitFor(async () => (await codeLens(alice, 'Request Data Access').count()) === 2 && (await codeLens(alice, 'Run with grant').count()) === 0, {
      timeoutMs: left + 45_000, intervalMs: 500, what: 'both CodeLenses to read "Request Data Access"',
    });
    await treeRow(alice, 'Expired & Revoked').click();
    await treeRow(alice, /#\d+ · expired/).filter({ hasText: DATABASES.join(', ') }).waitFor();
    await shot(alice, '10-expired');
    await alice.locator('.tab', { hasText: 'Results' }).click();
    await activeWebview(alice).locator('vscode-button', { hasText: `Run on ${DATABASES[0]}` }).click();
    await activeWebview(alice).locator('.error[role="alert"]').waitFor();
    // The progress notification closes: nothing is running any more. (VS Code keeps one up for
    // at least 800 ms, so it may still show right when the error does.)
    await alice.locator('.notification-toast', { hasText: 'Running grant' }).waitFor({ state: 'hidden', timeout: 5_000 });
    await shot(alice, '11-run-refused');
    const refused = await client(service.url, 'alice').post(`/grants/${grant.id}/run`, {}).then(() => undefined, (e: unknown) => e);
    assert.ok(refused instanceof ApiError && refused.code === 'FAILED_PRECONDITION', String(refused));
  }],

  ['the audit log holds the request, approvals, run and export with the grant id', async () => {
    const { entries } = await client(service.url, 'admin').get<{ entries: AuditEntry[] }>(`/audit?grant=${grant.id}&limit=100`);
    const actions = entries.map((e) => e.action);
    for (const expected of [/request.*created|created.*request/i, /approv/i, /run/i, /export/i]) {
      assert.ok(actions.some((a) => expected.test(a)), `an audit action matching ${expected} in ${actions.join(', ')}`);
    }
    assert.ok(actions.filter((a) => /approv/i.test(a)).length >= 2, `two approvals in ${actions.join(', ')}`);
    const onDisk = fs.readFileSync(service.auditFile, 'utf8');
    assert.ok(onDisk.includes(grant.id), 'audit.jsonl names the grant');
  }],

  // Issue 16 in alice's window (./role-flows.ts): run with a role, revoke it, cancel pending requests.
  ...roleSteps({ service: () => service, alice: () => alice, shot }),
];

steps.push(...reviewFlows(() => ({ service, bob }), shot, CONTAINER));

fs.rmSync(SHOTS, { recursive: true, force: true });
fs.mkdirSync(SHOTS, { recursive: true });
let passed = 0;
let failed = 0;
try {
  service = await startService();
  workspace = makeWorkspace(service.url);
  servers = await Promise.all([
    // alice signs in through the UI; bob's window gets his token from the environment.
    startCodeServer({ extensions: [ROOT] }),
    startCodeServer({ extensions: [ROOT], env: { JIT_ACCESS_TOKEN: USERS.bob.token } }),
  ]);
  const b = await launchChromium(servers[0]);
  browser = b;
  [alice, bob] = await Promise.all(servers.map((cs) => openWorkbench(b, cs)));
  console.log(`UI scenario: service ${service.url}, screenshots in ${path.relative(ROOT, SHOTS)}/`);
  for (const [i, [name, run]] of steps.entries()) {
    if (failed > 0) {
      console.log(`  - ${name} (not run: an earlier step failed)`);
      failed++;
      continue;
    }
    const t0 = Date.now();
    try {
      await run();
      passed++;
      console.log(`  ✔ ${name} (${Date.now() - t0} ms)`);
    } catch (err) {
      failed++;
      console.log(`  ✖ ${name}\n    ${String((err as Error)?.stack ?? err).split('\n').join('\n    ')}`);
      await shot(alice, `failure-${i + 1}-alice`).catch(() => {});
      await shot(bob, `failure-${i + 1}-bob`).catch(() => {});
    }
  }
} catch (err) {
  console.error('UI scenario could not start:', err);
  failed++;
} finally {
  // The browser first: its profile lives in alice's code-server temp dir.
  await browser?.close().catch(() => {});
  await Promise.all([...servers.map((cs) => cs.stop()), service?.stop()]);
  if (workspace) fs.rmSync(workspace, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed`);
if (process.env.JIT_TEST_COUNTS) fs.appendFileSync(process.env.JIT_TEST_COUNTS, `${process.env.JIT_TEST_SUITE ?? 'ui'} ${passed} ${failed}\n`);
process.exit(failed > 0 ? 1 : 0);
