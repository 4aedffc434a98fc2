// Who the extension talks to and as whom: the server URL setting and the token in
// SecretStorage (or JIT_ACCESS_TOKEN when none is stored, for headless runs).
import * as vscode from 'vscode';
import { ApiClient } from '../core/api-client.js';

const TOKEN_KEY = 'jitAccess.token';
/** Set by Sign Out so JIT_ACCESS_TOKEN does not sign the user straight back in. */
const SIGNED_OUT_KEY = 'jitAccess.signedOut';
export const DEFAULT_SERVER_URL = 'http://127.0.0.1:8787';

export class Session implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when the server URL or the token changes. */
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[] = [this.changed];

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly memento: vscode.Memento,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    this.subscriptions.push(
      secrets.onDidChange((e) => e.key === TOKEN_KEY && this.changed.fire()),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('jitAccess.serverUrl') && this.changed.fire()),
    );
  }

  get serverUrl(): string {
    return vscode.workspace.getConfiguration('jitAccess').get<string>('serverUrl') || DEFAULT_SERVER_URL;
  }

  async token(): Promise<string | undefined> {
    const stored = await this.secrets.get(TOKEN_KEY);
    if (stored) return stored;
    return this.memento.get<boolean>(SIGNED_OUT_KEY) ? undefined : this.env.JIT_ACCESS_TOKEN || undefined;
  }

  client(token?: string): ApiClient {
    return new ApiClient({ baseUrl: this.serverUrl, token: token ? async () => token : () => this.token() });
  }

  async store(token: string): Promise<void> {
    await this.memento.update(SIGNED_OUT_KEY, undefined);
    await this.secrets.store(TOKEN_KEY, token);
  }

  async clear(): Promise<void> {
    await this.memento.update(SIGNED_OUT_KEY, true);
    await this.secrets.delete(TOKEN_KEY);
    this.changed.fire();
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
  }
}
