// Playwright helpers for the VS Code workbench as code-server serves it: the command palette,
// notification toasts, the side-bar tree, CodeLens and webview panels.
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { waitFor } from '../vscode/kit/wait.js';

/**
 * Runs a command through the palette. Until the extension has registered it the palette does
 * not list it, so the attempt is repeated (Escape, F1 again) until the row shows up.
 */
export async function runCommand(page: Page, title: string): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  await waitFor(async () => {
    await page.keyboard.press('F1');
    await input.waitFor({ state: 'visible' });
    await input.fill(`>${title}`);
    const row = page.locator('.quick-input-list .monaco-list-row.focused', { hasText: title });
    if (await row.waitFor({ timeout: 1_000 }).then(() => true, () => false)) return true;
    await page.keyboard.press('Escape');
    return false;
  }, { timeoutMs: 60_000, intervalMs: 500, what: `command "${title}" in the palette` });
  await page.keyboard.press('Enter');
}

/** The visible quick input (input box, quick pick, simple save dialog). */
export function quickInput(page: Page): Locator {
  return page.locator('.quick-input-widget input');
}

/**
 * Waits for a notification toast with `text`, faded in completely so a screenshot shows it.
 * An error toast showing up first fails at once, with its message.
 */
export async function expectToast(page: Page, text: string | RegExp): Promise<Locator> {
  const toasts = page.locator('.notification-toast.notification-fade-in-done');
  const wanted = toasts.filter({ hasText: text }).first();
  const error = toasts.filter({ has: page.locator('.codicon-error') }).first();
  await wanted.or(error).waitFor({ state: 'visible', timeout: 20_000 });
  if (!(await wanted.isVisible())) throw new Error(`error shown instead of "${text}": ${await error.innerText()}`);
  return wanted;
}

export async function dismissToasts(page: Page): Promise<void> {
  for (const close of await page.locator('.notification-toast .codicon-notifications-clear').all()) {
    await close.click().catch(() => { /* already faded out */ });
  }
}

/** Opens the activity-bar container whose title starts with `title` (unless it is showing). */
export async function openContainer(page: Page, title: string): Promise<void> {
  const entry = page.locator('.activitybar .action-item', { has: page.locator(`.action-label[aria-label^="${title}"]`) });
  // Extension contributions show up once the remote extension host has scanned the extensions.
  await entry.waitFor({ timeout: 120_000 });
  // Clicking the entry of the container already showing would close the side bar.
  if (!(await entry.evaluate((e) => e.classList.contains('checked')))) await entry.click();
  await page.locator('.part.sidebar .monaco-list[role="tree"]').waitFor();
}

/** A row of the side-bar tree containing `text`. */
export function treeRow(page: Page, text: string | RegExp): Locator {
  return page.locator('.part.sidebar .monaco-list[role="tree"] .monaco-list-row', { hasText: text });
}

export function codeLens(page: Page, text: string | RegExp): Locator {
  return page.locator('.codelens-decoration a', { hasText: text });
}

/** Opens a workspace file through Quick Open. */
export async function openFile(page: Page, name: string): Promise<void> {
  await page.keyboard.press('Control+P');
  await quickInput(page).fill(name);
  await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: name }).waitFor();
  await page.keyboard.press('Enter');
  await page.locator('.tab.active', { hasText: name }).waitFor();
}

/**
 * The content of the webview panel showing now. Webviews are two nested iframes; panels kept
 * alive in background tabs keep theirs, hidden, so only the visible one counts.
 */
export function activeWebview(page: Page): FrameLocator {
  return page.locator('iframe.webview.ready').filter({ visible: true }).last().contentFrame().frameLocator('#active-frame');
}

/**
 * The rows the results grid has in the DOM (it is virtual: only those in view), in view order,
 * as the text of their cells. Waits for the first row.
 */
export async function gridRows(view: FrameLocator): Promise<string[][]> {
  const rows = view.locator('[role="grid"] .grid-canvas [role="row"]:not([hidden])');
  await rows.first().waitFor();
  return rows.evaluateAll((els) => els
    .map((row) => ({ index: Number(row.getAttribute('aria-rowindex')), cells: [...row.querySelectorAll('[role="gridcell"]')].map((c) => c.textContent ?? '') }))
    .sort((a, b) => a.index - b.index)
    .map((r) => r.cells));
}

/** The grid cell at a view position (0-based row after sort and filter, 0-based column). */
export function gridCell(view: FrameLocator, row: number, col: number): Locator {
  return view.locator(`.grid-canvas [role="row"][aria-rowindex="${row + 2}"] [role="gridcell"][aria-colindex="${col + 2}"]`);
}
