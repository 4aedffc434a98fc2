// The Access Grants review page (command jitAccess.reviewGrants) for project owners, workspace
// DBAs and admins: every grant and role binding of a project, filtered, with Revoke.
import * as vscode from 'vscode';
import type { AccessSnapshot } from '../core/access-state.js';
import { ApiError, describeError } from '../core/api-errors.js';
import type { Project } from '../core/api-types.js';
import { grantName } from '../core/grant-labels.js';
import { bindingMatches, bindingQuery, grantQuery, readFilters, reviewableProjects, reviewRows } from '../core/review-filters.js';
import type { PageMessage, ReviewFilters } from '../../webview/protocol.js';
import { COMMANDS } from './command-ids.js';
import { registerGuarded } from './guarded-command.js';
import { confirmRevoke } from './revoke-prompt.js';
import type { Services } from './services.js';
import { WebviewPage } from './webview-page.js';

const PAGE_KEY = 'grantsReview';
/** The `when` clause key that shows the command to reviewers only. */
const CAN_REVIEW = 'jitAccess.canReview';

/** The command, and the context key that shows it to reviewers only. */
export function registerGrantsReview(services: Services): vscode.Disposable[] {
  const setContext = (snapshot: AccessSnapshot) => void vscode.commands.executeCommand('setContext', CAN_REVIEW, reviewable(snapshot).length > 0);
  return [
    services.state.onChange(setContext),
    registerGuarded(services.session, COMMANDS.reviewGrants, (arg?: { project?: string }) => openGrantsReview(services, arg?.project)),
  ];
}

async function openGrantsReview(services: Services, wanted?: string): Promise<void> {
  const projects = reviewable(await services.state.ready());
  if (projects.length === 0) {
    void vscode.window.showInformationMessage('Only project owners, workspace DBAs and workspace admins review access grants. Ask one of them to review a grant.');
    return;
  }
  const project = projects.find((p) => p.id === wanted) ?? (projects.length === 1 ? projects[0] : await pickProject(projects));
  if (!project) return;
  const existing = services.pages.get(PAGE_KEY) as ReviewPage | undefined;
  const page = existing ?? (services.pages.add(PAGE_KEY, new ReviewPage(services)) as ReviewPage);
  page.panel.reveal();
  await page.load(project.id, {});
}

/** Read from the latest snapshot each time, so a role gained or lost since the page opened counts. */
const reviewable = (snapshot: AccessSnapshot): Project[] => reviewableProjects(snapshot.me, snapshot.projects);

async function pickProject(projects: Project[]): Promise<Project | undefined> {
  const picked = await vscode.window.showQuickPick(projects.map((p) => ({ label: p.name, description: p.id, project: p })), { placeHolder: 'Review the grants of which project?' });
  return picked?.project;
}

class ReviewPage extends WebviewPage {
  private shown: { project: string; filters: ReviewFilters } = { project: '', filters: {} };
  private loading?: AbortController;

  constructor(private readonly services: Services) {
    super(services.extensionUri, 'grantsReview', 'Access Grants review', (message) => void this.receive(message));
    this.own({ dispose: () => this.loading?.abort() });
  }

  /** Loads and shows the project's grants and bindings; a newer load cancels an older one still running. */
  async load(project: string, filters: ReviewFilters): Promise<void> {
    this.loading?.abort();
    const abort = new AbortController();
    this.loading = abort;
    this.shown = { project, filters };
    const api = this.services.session.client();
    try {
      const bindings = bindingQuery(filters);
      const [grants, roleBindings] = await Promise.all([
        api.projectGrants(project, grantQuery(filters), abort.signal),
        bindings ? api.roleBindings(project, bindings, abort.signal) : Promise.resolve([]),
      ]);
      const now = Date.now();
      const projects = reviewable(this.services.state.snapshot);
      this.post({
        type: 'review.show',
        projects: projects.map((p) => ({ id: p.id, name: p.name })),
        project,
        databases: projects.find((p) => p.id === project)?.databases.map((d) => d.name) ?? [],
        filters,
        rows: reviewRows(grants, roleBindings.filter((b) => bindingMatches(b, filters, now)), now),
      });
    } catch (error) {
      if (abort.signal.aborted) return;
      this.post({ type: 'review.status', message: describeError(error, this.services.session.serverUrl).message, error: true });
    }
  }

  private async receive(message: PageMessage): Promise<void> {
    if (message.type === 'review.load') {
      const read = readFilters(message.filters);
      if ('error' in read) this.post({ type: 'review.status', message: read.error, error: true });
      else if (!reviewable(this.services.state.snapshot).some((p) => p.id === message.project)) this.post({ type: 'review.status', message: `You do not review project "${message.project}". Pick one of the list.`, error: true });
      else await this.load(message.project, read.filters);
    } else if (message.type === 'review.revoke') {
      await this.revoke(message.kind, message.id);
    }
  }

  private async revoke(kind: 'grant' | 'role', id: string): Promise<void> {
    const what = kind === 'grant' ? 'this grant' : 'this role';
    const answer = await confirmRevoke(`Revoke ${what}? It stops working at once, also for a query running now.`, { prompt: 'Why is it revoked? The holder is told.', placeHolder: 'Reason (optional)' });
    if (!answer) return;
    const api = this.services.session.client();
    try {
      const revoked = kind === 'grant' ? await api.revoke(id, answer.reason) : await api.revokeRole(id, answer.reason);
      await this.load(this.shown.project, this.shown.filters);
      this.post({ type: 'review.status', message: `Revoked ${revokedName(kind, revoked, id)}.`, error: false });
      void this.services.state.refresh();
    } catch (error) {
      // Revoked or expired meanwhile: the list is stale, so it is reloaded under the message.
      if (error instanceof ApiError && error.code === 'FAILED_PRECONDITION') await this.load(this.shown.project, this.shown.filters);
      this.post({ type: 'review.status', message: describeError(error, this.services.session.serverUrl).message, error: true });
    }
  }
}

function revokedName(kind: 'grant' | 'role', revoked: unknown, id: string): string {
  const body = revoked as { requester?: string; user?: string; role?: string } | undefined;
  if (kind === 'role') return `role ${body?.role ?? id}${body?.user ? ` of ${body.user}` : ''}`;
  return `${grantName({ id })}${body?.requester ? ` of ${body.requester}` : ''}`;
}
