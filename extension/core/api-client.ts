// A small typed client for the service's HTTP API. Every call takes an AbortSignal so the
// editor's cancellation reaches the network, and every failure is an ApiError.
import { ApiError, errorFromResponse, isRecord } from './api-errors.js';
import type {
  AccessRequest,
  AccessRequestBody,
  ExportFormat,
  Grant,
  GrantState,
  Me,
  Project,
  QueryResult,
  ReviewedGrant,
  RoleBinding,
  RoleRequestBody,
  WorkspaceSettings,
} from './api-types.js';

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

export class ApiClient {
  private readonly fetchImpl: Fetch;

  constructor(private readonly options: ApiClientOptions) {
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  }

  get baseUrl(): string {
    return this.options.baseUrl.replace(/\/+$/, '');
  }

  me(signal?: AbortSignal): Promise<Me> {
    return this.json('GET', '/me', undefined, signal);
  }

  async workspaceSettings(signal?: AbortSignal): Promise<WorkspaceSettings> {
    const body = await this.json<unknown>('GET', '/workspace/settings', undefined, signal);
    return (isRecord(body) && isRecord(body.settings) ? body.settings : body) as WorkspaceSettings;
  }

  async projects(signal?: AbortSignal): Promise<Project[]> {
    return listOf<Project>(await this.json('GET', '/projects', undefined, signal), 'projects');
  }

  async myGrants(state?: GrantState, signal?: AbortSignal): Promise<Grant[]> {
    const query = state ? `?state=${state}` : '';
    return listOf<Grant>(await this.json('GET', `/grants${query}`, undefined, signal), 'grants');
  }

  async requests(view: 'mine' | 'to-approve', signal?: AbortSignal): Promise<AccessRequest[]> {
    return listOf<AccessRequest>(await this.json('GET', `/requests?view=${view}`, undefined, signal), 'requests');
  }

  async request(id: string, signal?: AbortSignal): Promise<AccessRequest> {
    return objectOf<AccessRequest>(await this.json('GET', `/requests/${enc(id)}`, undefined, signal), 'request');
  }

  async grant(id: string, signal?: AbortSignal): Promise<Grant> {
    return objectOf<Grant>(await this.json('GET', `/grants/${enc(id)}`, undefined, signal), 'grant');
  }

  createAccessRequest(project: string, body: AccessRequestBody, signal?: AbortSignal): Promise<{ request: AccessRequest; grant: Grant }> {
    return this.json('POST', `/projects/${enc(project)}/access-requests`, body, signal);
  }

  createRoleRequest(project: string, body: RoleRequestBody, signal?: AbortSignal): Promise<{ request: AccessRequest }> {
    return this.json('POST', `/projects/${enc(project)}/role-requests`, body, signal);
  }

  decide(id: string, decision: 'approve' | 'reject' | 'cancel', comment?: string, signal?: AbortSignal): Promise<unknown> {
    return this.json('POST', `/requests/${enc(id)}/${decision}`, comment ? { comment } : {}, signal);
  }

  revoke(id: string, reason?: string, signal?: AbortSignal): Promise<unknown> {
    return this.json('POST', `/grants/${enc(id)}/revoke`, reason ? { reason } : {}, signal);
  }

  run(id: string, database?: string, signal?: AbortSignal): Promise<QueryResult> {
    return this.json('POST', `/grants/${enc(id)}/run`, database ? { database } : {}, signal);
  }

  exportGrant(id: string, format: ExportFormat, database: string | undefined, signal?: AbortSignal): Promise<ExportDownload> {
    const query = new URLSearchParams({ format });
    if (database) query.set('database', database);
    return this.download('GET', `/grants/${enc(id)}/export?${query}`, undefined, `grant-${id}.${format}`, signal);
  }

  /** Runs a statement read-only with the caller's project role on `database`. */
  query(project: string, database: string, statement: string, signal?: AbortSignal): Promise<QueryResult> {
    return this.json('POST', `/projects/${enc(project)}/query`, { database, statement }, signal);
  }

  exportQuery(project: string, database: string, statement: string, format: ExportFormat, signal?: AbortSignal): Promise<ExportDownload> {
    return this.download('POST', `/projects/${enc(project)}/export`, { database, statement, format }, `${project}-export.${format}`, signal);
  }

  revokeRole(bindingId: string, reason?: string, signal?: AbortSignal): Promise<unknown> {
    return this.json('POST', `/role-bindings/${enc(bindingId)}/revoke`, reason ? { reason } : {}, signal);
  }

  /** A project's grants as its reviewers see them; `query` holds the filters (state, user, database, expiringWithin). */
  async projectGrants(project: string, query: URLSearchParams, signal?: AbortSignal): Promise<ReviewedGrant[]> {
    return listOf<ReviewedGrant>(await this.json('GET', `/projects/${enc(project)}/grants${queryString(query)}`, undefined, signal), 'grants');
  }

  async roleBindings(project: string, query: URLSearchParams, signal?: AbortSignal): Promise<RoleBinding[]> {
    return listOf<RoleBinding>(await this.json('GET', `/projects/${enc(project)}/role-bindings${queryString(query)}`, undefined, signal), 'roleBindings');
  }

  /** The raw event stream response; parse it with readServerSentEvents. With `lastEventId` the service first replays what came after it. */
  events(signal?: AbortSignal, lastEventId?: string): Promise<Response> {
    return this.send('GET', '/events', undefined, signal, { Accept: 'text/event-stream', ...(lastEventId ? { 'Last-Event-ID': lastEventId } : {}) });
  }

  private async download(method: string, path: string, body: unknown, fallbackName: string, signal?: AbortSignal): Promise<ExportDownload> {
    const response = await this.send(method, path, body, signal);
    if (!response.body) throw new ApiError('INTERNAL', 'The service sent an empty export.', response.status);
    const length = Number(response.headers.get('content-length'));
    return {
      fileName: fileNameOf(response.headers.get('content-disposition')) ?? fallbackName,
      body: response.body,
      size: Number.isFinite(length) && length > 0 ? length : undefined,
    };
  }

  private async json<T>(method: string, path: string, body: unknown, signal?: AbortSignal): Promise<T> {
    const response = await this.send(method, path, body, signal);
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  private async send(method: string, path: string, body: unknown, signal?: AbortSignal, headers: Record<string, string> = {}): Promise<Response> {
    const token = await this.options.token();
    if (!token) throw new ApiError('NO_TOKEN', 'Not signed in.', 0);
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.baseUrl}/api/v1${path}`, {
        method,
        signal,
        headers: {
          Authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      if (signal?.aborted) throw new ApiError('CANCELLED', 'Cancelled.', 0);
      throw new ApiError('UNAVAILABLE', `Cannot reach ${this.baseUrl}: ${error instanceof Error ? error.message : String(error)}`, 0);
    }
    if (!response.ok) {
      throw errorFromResponse(response.status, await response.json().catch(() => undefined));
    }
    return response;
  }
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}

function queryString(query: URLSearchParams): string {
  const text = query.toString();
  return text ? `?${text}` : '';
}

/** Lists come either bare or wrapped as `{ <key>: [...] }`; accept both. */
function listOf<T>(body: unknown, key: string): T[] {
  if (Array.isArray(body)) return body as T[];
  if (isRecord(body) && Array.isArray(body[key])) return body[key] as T[];
  return [];
}

function objectOf<T>(body: unknown, key: string): T {
  return (isRecord(body) && isRecord(body[key]) ? body[key] : body) as T;
}

export function fileNameOf(disposition: string | null): string | undefined {
  if (!disposition) return undefined;
  const star = /filename\*\s*=\s*(?:UTF-8'')?([^;]+)/i.exec(disposition);
  if (star) return decodeURIComponent(star[1].trim().replace(/^"|"$/g, ''));
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(disposition);
  return plain?.[1].trim();
}
