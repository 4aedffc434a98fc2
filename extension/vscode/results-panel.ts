// Runs a statement — a grant's approved one, or one run with a project role — and shows the
// result grid; its Export buttons go through the save-dialog download, and its copy actions
// through the editor's clipboard, unless the jitAccess.allowCopyData setting turns them off.
import * as vscode from 'vscode';
import { EXPORT_FORMATS, type ExportFormat, type Grant, type QueryResult } from '../core/api-types.js';
import { describeError } from '../core/api-errors.js';
import { grantName } from '../core/grant-labels.js';
import { withProgressThenReport } from '../core/progress.js';
import type { ResultsGrant } from '../../webview/protocol.js';
import { exportGrantResult } from './export-download.js';
import type { Services } from './services.js';
import { WebviewPage } from './webview-page.js';

/** What a results page runs and exports. */
export interface ResultSource {
  /** One page per key: per grant, or per document for runs with a role. */
  key: string;
  /** Shown in the page header: "grant #a1b2c3", "role sqlEditorUser". */
  name: string;
  /** The panel's title, fixed when the page opens. */
  title: string;
  /** The databases the page offers to run on. */
  databases: string[];
  statement: string;
  run(database: string, signal: AbortSignal): Promise<QueryResult>;
  exportFormats(database: string): ExportFormat[];
  export(format: ExportFormat, database: string | undefined): Promise<string | undefined>;
}

export function runGrant(services: Services, grant: Grant, database = grant.databases[0]): Promise<void> {
  return showResults(services, {
    key: `results:${grant.id}`,
    name: grantName(grant),
    title: `Results: ${grantName(grant)}`,
    databases: grant.databases,
    statement: grant.statement,
    run: (db, signal) => services.session.client().run(grant.id, db, signal),
    exportFormats: () => (grant.export ? [...EXPORT_FORMATS] : []),
    export: (format, db) => exportGrantResult(services, grant, format, db),
  }, database);
}

/** The source each open page shows now; its buttons act on it. */
const sources = new WeakMap<WebviewPage, ResultSource>();

export async function showResults(services: Services, source: ResultSource, database: string): Promise<void> {
  const shown: ResultsGrant = { id: source.key, name: source.name, databases: source.databases, database, statement: source.statement };
  const page = services.pages.get(source.key) ?? services.pages.add(source.key, resultsPage(services, source.title));
  sources.set(page, source);
  page.lastShown = shown;
  page.panel.reveal(undefined, true);
  page.post({ type: 'results.loading', grant: shown });
  const result = await withProgressThenReport(
    (task) => vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Running ${source.name} on ${database}…`, cancellable: true }, task),
    (_progress: unknown, signal: AbortSignal) => source.run(database, signal),
    (error) => page.post({ type: 'results.error', grant: shown, message: describeError(error, services.session.serverUrl).message }),
  );
  if (!result) return;
  // The page cannot show anything until a message's rows are all deserialized (seconds for
  // 100,000 rows on a busy machine): the first rows go alone so they show at once, and the
  // page asks for the others one message at a time (results.more).
  const { rows } = result;
  pendingRows.set(page, { rows, next: FIRST_ROWS });
  page.post({ type: 'results.show', grant: shown, result: { ...result, rows: rows.slice(0, FIRST_ROWS) }, moreRows: Math.max(0, rows.length - FIRST_ROWS), exportFormats: source.exportFormats(database), allowCopy: copyAllowed() });
}

/** Rows in the first message: a screenful and more. */
const FIRST_ROWS = 200;
/** Rows per following message: small enough that the page stays responsive between them. */
const MORE_ROWS = 10_000;
/** The rows of each page's last result it has not been sent yet. */
const pendingRows = new WeakMap<WebviewPage, { rows: QueryResult['rows']; next: number }>();

function sendMoreRows(page: WebviewPage): void {
  const pending = pendingRows.get(page);
  if (!pending || pending.next >= pending.rows.length) return;
  page.post({ type: 'results.rows', rows: pending.rows.slice(pending.next, pending.next + MORE_ROWS) });
  pending.next += MORE_ROWS;
}

function copyAllowed(): boolean {
  return vscode.workspace.getConfiguration('jitAccess').get<boolean>('allowCopyData', true);
}

/** The page hides copying when the setting is off; the host checks again, as a page is untrusted. */
async function copyToClipboard(page: WebviewPage, text: string, what: string): Promise<void> {
  if (!copyAllowed()) {
    page.post({ type: 'results.copyStatus', message: 'Not copied: copying result data is turned off by the jitAccess.allowCopyData setting.' });
    return;
  }
  await vscode.env.clipboard.writeText(text);
  page.post({ type: 'results.copyStatus', message: `Copied ${what}.` });
}

function resultsPage(services: Services, title: string): WebviewPage {
  const page: WebviewPage = new WebviewPage(services.extensionUri, 'results', title, (message) => {
    const source = sources.get(page);
    if (!source) return;
    if (message.type === 'results.run') void showResults(services, source, message.database ?? source.databases[0]);
    if (message.type === 'results.more') sendMoreRows(page);
    if (message.type === 'results.copy') {
      void copyToClipboard(page, message.text, message.what).catch((error: unknown) =>
        page.post({ type: 'results.copyStatus', message: `Not copied: ${(error as Error).message}` }),
      );
    }
    if (message.type === 'results.export') {
      void source.export(message.format, page.lastShown?.database).then(
        (saved) => saved && page.post({ type: 'results.exportStatus', message: saved }),
      );
    }
  });
  page.own(vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration('jitAccess.allowCopyData')) page.post({ type: 'results.copyPolicy', allowCopy: copyAllowed() });
  }));
  return page;
}
