// What the extension-host tests share. The tests' `vscode` module is the same API object the
// extension under test gets (VS Code hands one per extension, and the compiled tests live in
// its folder), so wrapping a few `vscode.window` functions lets the tests see the grants tree's
// items exactly as VS Code receives them, and the messages shown to the user.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { waitFor } from '../kit/wait';

export { waitFor };

export const serviceUrl = (() => {
  const url = process.env.JIT_TEST_SERVICE_URL;
  assert.ok(url, 'JIT_TEST_SERVICE_URL is set by test/vscode/run.ts');
  return url;
})();

interface Manifest {
  publisher: string;
  name: string;
  activationEvents?: string[];
  contributes: {
    commands: { command: string; title: string; category?: string }[];
    views: Record<string, { id: string; name: string }[]>;
    viewsContainers?: { activitybar?: { id: string; title: string }[] };
    configuration?: unknown;
  };
}

/** The repository's package.json: the manifest of the extension under development. */
const ROOT_MANIFEST = path.resolve(__dirname, '../../../../package.json');

export function extension(): vscode.Extension<unknown> {
  const { publisher, name } = JSON.parse(fs.readFileSync(ROOT_MANIFEST, 'utf8')) as Manifest;
  const ext = vscode.extensions.getExtension(`${publisher}.${name}`);
  assert.ok(ext, `the extension under development (${publisher}.${name}) is loaded`);
  return ext;
}

export function manifest(): Manifest {
  return extension().packageJSON as Manifest;
}

/** The id of the grants tree: the one view the extension contributes. */
export function viewId(): string {
  const views = Object.values(manifest().contributes.views).flat();
  assert.equal(views.length, 1, 'one contributed view');
  return views[0].id;
}

export interface ShownMessage {
  severity: 'error' | 'warning' | 'info';
  text: string;
}

const trees = new Map<string, vscode.TreeDataProvider<unknown>>();
const treeViews = new Map<string, vscode.TreeView<unknown>>();
export const shown: ShownMessage[] = [];
/** Buttons to press on the next message whose text matches (a test sets them before the message shows); others are dismissed. */
export const messageAnswers: { text: RegExp; pick: string }[] = [];
/** Answers for the next showInputBox calls, in order (a test sets them before a command). */
export const inputAnswers: (string | undefined)[] = [];
/** Labels picked in the next quick picks, in order; a quick pick without one is dismissed. */
export const pickAnswers: string[] = [];
/** The extension's status bar items, as created. */
export const statusBarItems: vscode.StatusBarItem[] = [];

type Fn = (...args: never[]) => unknown;
function wrap<K extends keyof typeof vscode.window>(name: K, replacement: (original: (typeof vscode.window)[K]) => Fn): void {
  const original = vscode.window[name];
  (vscode.window as unknown as Record<string, Fn>)[name] = replacement(original);
}

/**
 * Installs the wrappers; must run before the extension activates (index.ts does it first).
 * Messages resolve at once, as if dismissed: nobody is there to click them.
 */
export function installSpies(): void {
  wrap('createTreeView', (original) => (id: string, options: vscode.TreeViewOptions<unknown>) => {
    trees.set(id, options.treeDataProvider);
    const view = original(id, options);
    treeViews.set(id, view);
    return view;
  });
  wrap('registerTreeDataProvider', (original) => (id: string, provider: vscode.TreeDataProvider<unknown>) => {
    trees.set(id, provider);
    return original(id, provider);
  });
  const record = (severity: ShownMessage['severity']) => () => (text: string) => {
    shown.push({ severity, text });
    const answer = messageAnswers.findIndex((a) => a.text.test(text));
    return Promise.resolve(answer < 0 ? undefined : messageAnswers.splice(answer, 1)[0].pick);
  };
  wrap('showErrorMessage', record('error'));
  wrap('showWarningMessage', record('warning'));
  wrap('showInformationMessage', record('info'));
  wrap('showInputBox', () => () => Promise.resolve(inputAnswers.shift()));
  wrap('showQuickPick', () => async (items: readonly (string | vscode.QuickPickItem)[] | Thenable<readonly (string | vscode.QuickPickItem)[]>) => {
    const label = pickAnswers.shift();
    return (await items).find((item) => (typeof item === 'string' ? item : item.label) === label);
  });
  wrap('createStatusBarItem', (original) => (...args: Parameters<typeof original>) => {
    const item = (original as (...a: unknown[]) => vscode.StatusBarItem)(...args);
    statusBarItems.push(item);
    return item;
  });
}

export interface Row {
  label: string;
  description: string;
  tooltip: string;
  contextValue?: string;
  children: Row[];
}

/** The grants tree as VS Code would render it, all levels. */
export async function treeRows(): Promise<Row[]> {
  const provider = trees.get(viewId());
  assert.ok(provider, `the extension registered a provider for ${viewId()}`);
  const walk = async (element?: unknown): Promise<Row[]> => {
    const children = (await provider.getChildren(element)) ?? [];
    return Promise.all(children.map(async (child) => {
      const item = await provider.getTreeItem(child);
      const label = typeof item.label === 'string' ? item.label : item.label?.label ?? '';
      const hasChildren = item.collapsibleState !== undefined && item.collapsibleState !== vscode.TreeItemCollapsibleState.None;
      return {
        label,
        description: typeof item.description === 'string' ? item.description : '',
        tooltip: typeof item.tooltip === 'string' ? item.tooltip : item.tooltip?.value ?? '',
        contextValue: item.contextValue,
        children: hasChildren ? await walk(child) : [],
      };
    }));
  };
  return walk();
}

/** The badge VS Code shows on the grants view. */
export function viewBadge(): vscode.ViewBadge | undefined {
  const view = treeViews.get(viewId());
  assert.ok(view, `the extension created the tree view ${viewId()}`);
  return view.badge;
}

/** The rows under the top-level section whose label is `section`. */
export async function sectionRows(section: string): Promise<Row[]> {
  const top = await treeRows();
  return top.find((r) => r.label === section)?.children ?? [];
}

/** Refreshes through the extension's own command and waits until `check` holds for the tree. */
export async function refreshUntil(what: string, check: (rows: Row[]) => boolean, timeoutMs = 20_000): Promise<Row[]> {
  const command = commandId('Refresh');
  let rows: Row[] = [];
  await waitFor(async () => {
    await vscode.commands.executeCommand(command);
    rows = await treeRows();
    return check(rows);
  }, { timeoutMs, intervalMs: 500, what }).catch((err: Error) => {
    throw new Error(`${err.message}\ntree:\n${render(rows)}`);
  });
  return rows;
}

export function render(rows: Row[], indent = ''): string {
  return rows.map((r) => `${indent}${r.label}${r.description ? ` — ${r.description}` : ''}\n${render(r.children, `${indent}  `)}`).join('');
}

/** The id of the contributed command with this title (the contract names commands by title). */
export function commandId(title: string): string {
  const cmd = manifest().contributes.commands.find((c) => c.title === title);
  assert.ok(cmd, `a contributed command titled "${title}"`);
  return cmd.command;
}

export async function openSqlFile(name: string): Promise<vscode.TextDocument> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test workspace is open');
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder.uri, name));
  await vscode.window.showTextDocument(doc);
  return doc;
}

export async function codeLensTitles(doc: vscode.TextDocument): Promise<string[]> {
  const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri, 100)) ?? [];
  return lenses.map((l) => l.command?.title ?? '');
}
