// The service's HTTP API on Hono's typed client: paths, parameters, bodies and answers are
// typed from the service's routes (AppType, imported as a type only, so none of the service
// is bundled). Every call takes an AbortSignal so the editor's cancellation reaches the
// network, and every failure is an ApiError with the service's error code.
import { hc, type InferRequestType } from 'hono/client';
import type { AppType } from '../../server/http/app.js';
import { ApiError, errorFromResponse } from './api-errors.js';
import type { ExportFormat, GrantState } from './api-types.js';

export type Fetch = (input: string, init: RequestInit) => Promise<Response>;

export interface ApiClientOptions {
  baseUrl: string;
  /** Resolved per call, so signing in takes effect without rebuilding the client. */
  token: () => Promise<string | undefined>;
  fetch?: Fetch;
}

export interface ExportDownload {
  fileName: string;
  body: ReadableStream<Uint8Array>;
  /** Bytes announced by the service, when it says. */
  size?: number;
}

type Api = ReturnType<typeof hc<AppType>>['api']['v1'];

/** The filters of `GET /projects/{p}/grants`, as the service's schema accepts them. */
export type ProjectGrantsQuery = InferRequestType<Api['projects'][':p']['grants']['$get']>['query'];
/** The filters of `GET /projects/{p}/role-bindings`. */
export type RoleBindingsQuery = InferRequestType<Api['projects'][':p']['role-bindings']['$get']>['query'];

export class ApiClient {
  private readonly api: Api;

  constructor(private readonly options: ApiClientOptions) {
    this.api = hc<AppType>(this.baseUrl, { fetch: this.send }).api.v1;
  }

  get baseUrl(): string {
    return this.options.baseUrl.replace(/\/+$/, '');
  }

  me(signal?: AbortSignal) {
    return ok(this.api.me.$get(undefined, call(signal)));
  }

  workspaceSettings(signal?: AbortSignal) {
    return ok(this.api.workspace.settings.$get(undefined, call(signal)));
  }

  async projects(signal?: AbortSignal) {
    return (await ok(this.api.projects.$get(undefined, call(signal)))).projects;
  }

  async myGrants(state?: GrantState, signal?: AbortSignal) {
    return (await ok(this.api.grants.$get({ query: { state } }, call(signal)))).grants;
  }

  async requests(view: 'mine' | 'to-approve', signal?: AbortSignal) {
    return (await ok(this.api.requests.$get({ query: { view } }, call(signal)))).requests;
  }

  request(id: string, signal?: AbortSignal) {
    return ok(this.api.requests[':id'].$get({ param: { id: enc(id) } }, call(signal)));
  }

  grant(id: string, signal?: AbortSignal) {
    return ok(this.api.grants[':id'].$get({ param: { id: enc(id) } }, call(signal)));
  }

  createAccessRequest(project: string, json: InferRequestType<Api['projects'][':p']['access-requests']['$post']>['json'], signal?: AbortSignal) {
    return ok(this.api.projects[':p']['access-requests'].$post({ param: { p: enc(project) }, json }, call(signal)));
  }

  createRoleRequest(project: string, json: InferRequestType<Api['projects'][':p']['role-requests']['$post']>['json'], signal?: AbortSignal) {
    return ok(this.api.projects[':p']['role-requests'].$post({ param: { p: enc(project) }, json }, call(signal)));
  }

  decide(id: string, decision: 'approve' | 'reject' | 'cancel', comment?: string, signal?: AbortSignal) {
    return ok(this.api.requests[':id'][decision].$post({ param: { id: enc(id) }, json: comment ? { comment } : {} }, call(signal)));
  }

  revoke(id: string, reason?: string, signal?: AbortSignal) {
    return ok(this.api.grants[':id'].revoke.$post({ param: { id: enc(id) }, json: reason ? { reason } : {} }, call(signal)));
  }

  run(id: string, database?: string, signal?: AbortSignal) {
    return ok(this.api.grants[':id'].run.$post({ param: { id: enc(id) }, json: database ? { database } : {} }, call(signal)));
  }

  async exportGrant(id: string, format: ExportFormat, database: string | undefined, signal?: AbortSignal): Promise<ExportDownload> {
    return download(await this.api.grants[':id'].export.$get({ param: { id: enc(id) }, query: { format, database } }, call(signal)), `grant-${id}.${format}`);
  }

  /** Runs a statement read-only with the caller's project role on `database`. */
  query(project: string, database: string, statement: string, signal?: AbortSignal) {
    return ok(this.api.projects[':p'].query.$post({ param: { p: enc(project) }, json: { database, statement } }, call(signal)));
  }

  async exportQuery(project: string, database: string, statement: string, format: ExportFormat, signal?: AbortSignal): Promise<ExportDownload> {
    return download(await this.api.projects[':p'].export.$post({ param: { p: enc(project) }, json: { database, statement, format } }, call(signal)), `${project}-export.${format}`);
  }

  revokeRole(bindingId: string, reason?: string, signal?: AbortSignal) {
    return ok(this.api['role-bindings'][':id'].revoke.$post({ param: { id: enc(bindingId) }, json: reason ? { reason } : {} }, call(signal)));
  }

  /** A project's grants as its reviewers see them, filtered by the service. */
  async projectGrants(project: string, query: ProjectGrantsQuery, signal?: AbortSignal) {
    return (await ok(this.api.projects[':p'].grants.$get({ param: { p: enc(project) }, query }, call(signal)))).grants;
  }

  async roleBindings(project: string, query: RoleBindingsQuery, signal?: AbortSignal) {
    return (await ok(this.api.projects[':p']['role-bindings'].$get({ param: { p: enc(project) }, query }, call(signal)))).roleBindings;
  }

  /** The raw event stream response; parse it with readServerSentEvents. With `lastEventId` the service first replays what came after it. */
  events(signal?: AbortSignal, lastEventId?: string): Promise<Response> {
    return this.api.events.$get({ query: {}, header: { 'last-event-id': lastEventId } }, { ...call(signal), headers: { Accept: 'text/event-stream' } });
  }

  /** hc's fetch: the token of the moment, and every failure as an ApiError. */
  private readonly send = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const token = await this.options.token();
    if (!token) throw new ApiError('NO_TOKEN', 'Not signed in.', 0);
    const headers = new Headers(init?.headers);
    headers.set('Authorization', `Bearer ${token}`);
    let response: Response;
    try {
      response = await (this.options.fetch ?? fetch)(String(input), { ...init, headers });
    } catch (error) {
      if (init?.signal?.aborted) throw new ApiError('CANCELLED', 'Cancelled.', 0);
      throw new ApiError('UNAVAILABLE', `Cannot reach ${this.baseUrl}: ${error instanceof Error ? error.message : String(error)}`, 0);
    }
    if (!response.ok) throw errorFromResponse(response.status, await response.json().catch(() => undefined));
    return response;
  };
}

const call = (signal: AbortSignal | undefined) => ({ init: { signal } });

/** The typed body of a successful answer: send() has already turned every other one into an ApiError. */
async function ok<R extends { ok: boolean; json(): Promise<unknown> }>(pending: Promise<R>): Promise<SuccessBody<R>> {
  return (await pending).json() as Promise<SuccessBody<R>>;
}

type SuccessBody<R extends { ok: boolean; json(): Promise<unknown> }> = Awaited<ReturnType<Extract<R, { ok: true }>['json']>>;

/** hc puts path parameters into the URL as they are. */
function enc(segment: string): string {
  return encodeURIComponent(segment);
}

function download(response: Response, fallbackName: string): ExportDownload {
  if (!response.body) throw new ApiError('INTERNAL', 'The service sent an empty export.', response.status);
  const length = Number(response.headers.get('content-length'));
  return {
    fileName: fileNameOf(response.headers.get('content-disposition')) ?? fallbackName,
    body: response.body,
    size: Number.isFinite(length) && length > 0 ? length : undefined,
  };
}

export function fileNameOf(disposition: string | null): string | undefined {
  if (!disposition) return undefined;
  const star = /filename\*\s*=\s*(?:UTF-8'')?([^;]+)/i.exec(disposition);
  if (star) return decodeURIComponent(star[1].trim().replace(/^"|"$/g, ''));
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(disposition);
  return plain?.[1].trim();
}
