// What the signed-in user can see: their grants, their requests and the requests awaiting
// them. Loaded on demand and on service events; views subscribe instead of polling.
import type { ApiClient } from './api-client.js';
import { ApiError } from './api-errors.js';
import type { AccessRequest, Grant, Me, Project, WorkspaceSettings } from './api-types.js';

export type AccessStatus = 'idle' | 'signedOut' | 'ready' | 'error';

export interface AccessSnapshot {
  status: AccessStatus;
  error?: unknown;
  me?: Me;
  settings?: WorkspaceSettings;
  projects: Project[];
  grants: Grant[];
  myRequests: AccessRequest[];
  toApprove: AccessRequest[];
}

const EMPTY: AccessSnapshot = { status: 'idle', projects: [], grants: [], myRequests: [], toApprove: [] };

export class AccessState {
  private current: AccessSnapshot = EMPTY;
  private readonly listeners = new Set<(snapshot: AccessSnapshot) => void>();
  private inFlight?: AbortController;

  constructor(private readonly client: () => ApiClient) {}

  get snapshot(): AccessSnapshot {
    return this.current;
  }

  activeGrants(): Grant[] {
    return this.current.grants.filter((g) => g.state === 'ACTIVE');
  }

  onChange(listener: (snapshot: AccessSnapshot) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** The loaded snapshot, loading it first if need be; throws why it could not be loaded. */
  async ready(): Promise<AccessSnapshot> {
    const snapshot = this.current.status === 'ready' ? this.current : await this.refresh();
    if (snapshot.status !== 'ready') throw snapshot.error;
    return snapshot;
  }

  /** Reloads everything; a newer refresh cancels an older one still running. */
  async refresh(): Promise<AccessSnapshot> {
    this.inFlight?.abort();
    const abort = new AbortController();
    this.inFlight = abort;
    const api = this.client();
    try {
      const [me, settings, projects, grants, myRequests, toApprove] = await Promise.all([
        api.me(abort.signal),
        api.workspaceSettings(abort.signal),
        api.projects(abort.signal),
        api.myGrants(undefined, abort.signal),
        api.requests('mine', abort.signal),
        api.requests('to-approve', abort.signal),
      ]);
      this.set({ status: 'ready', me, settings, projects, grants, myRequests, toApprove });
    } catch (error) {
      if (abort.signal.aborted) return this.current;
      const signedOut = error instanceof ApiError && (error.code === 'NO_TOKEN' || error.code === 'UNAUTHENTICATED');
      this.set({ ...EMPTY, status: signedOut ? 'signedOut' : 'error', error });
    } finally {
      if (this.inFlight === abort) this.inFlight = undefined;
    }
    return this.current;
  }

  dispose(): void {
    this.inFlight?.abort();
    this.listeners.clear();
  }

  private set(snapshot: AccessSnapshot): void {
    this.current = snapshot;
    for (const listener of this.listeners) listener(snapshot);
  }
}
