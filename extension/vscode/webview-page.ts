// One webview panel running one page of the webview bundle: strict CSP with a fresh nonce,
// resources only from dist/webview, and the typed protocol in both directions.
import * as vscode from 'vscode';
import { createNonce, pageHtml } from '../core/webview-html.js';
import { isPageMessage, type HostMessage, type PageKind, type PageMessage, type ResultsGrant } from '../../webview/protocol.js';

export class WebviewPage implements vscode.Disposable {
  readonly panel: vscode.WebviewPanel;
  /** The grant and database a results page last showed, so its buttons act on them. */
  lastShown?: ResultsGrant;
  private ready = false;
  private queue: HostMessage[] = [];
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(extensionUri: vscode.Uri, page: PageKind, title: string, onMessage: (message: PageMessage) => void) {
    const bundle = vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
    this.panel = vscode.window.createWebviewPanel(`jitAccess.${page}`, title, vscode.ViewColumn.Active, {
      enableScripts: true,
      retainContextWhenHidden: true,
      localResourceRoots: [bundle],
    });
    const { webview } = this.panel;
    webview.html = pageHtml({
      page,
      title,
      cspSource: webview.cspSource,
      nonce: createNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(bundle, 'main.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(bundle, 'pages.css')).toString(),
    });
    this.subscriptions.push(
      webview.onDidReceiveMessage((message: unknown) => {
        if (!isPageMessage(message)) return;
        if (message.type === 'ready') this.flush();
        onMessage(message);
      }),
      this.panel.onDidDispose(() => this.dispose()),
    );
  }

  /** Sends now if the page is listening, else as soon as it says it is ready. */
  post(message: HostMessage): void {
    if (this.ready) void this.panel.webview.postMessage(message);
    else this.queue.push(message);
  }

  /** Ties something's life to the page's: it is disposed when the page closes. */
  own(disposable: { dispose(): void }): void {
    this.subscriptions.push(disposable);
  }

  onDidDispose(listener: () => void): vscode.Disposable {
    return this.panel.onDidDispose(listener);
  }

  dispose(): void {
    for (const d of this.subscriptions.splice(0)) d.dispose();
    this.panel.dispose();
  }

  private flush(): void {
    this.ready = true;
    for (const message of this.queue.splice(0)) void this.panel.webview.postMessage(message);
  }
}

/** Open pages by key, so asking twice for the same page reveals it instead of opening a copy. */
export class OpenPages implements vscode.Disposable {
  private readonly pages = new Map<string, WebviewPage>();

  get(key: string): WebviewPage | undefined {
    return this.pages.get(key);
  }

  add(key: string, page: WebviewPage): WebviewPage {
    this.pages.set(key, page);
    page.onDidDispose(() => this.pages.get(key) === page && this.pages.delete(key));
    return page;
  }

  dispose(): void {
    for (const page of [...this.pages.values()]) page.dispose();
    this.pages.clear();
  }
}
