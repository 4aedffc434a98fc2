// The one message protocol between the extension host and its webview pages. Both sides
// import it; every message is a named member of a discriminated union.
import type { AccessRequestBody, ExportFormat, QueryResult } from '../extension/core/api-types.js';
import type { RequestDetails } from '../extension/core/request-details.js';

export type PageKind = 'requestForm' | 'results' | 'request';

export const FORM_FIELDS = ['project', 'databases', 'statement', 'duration', 'reason', 'export', 'unmask', 'form'] as const;
export type FormField = (typeof FORM_FIELDS)[number];

export interface FieldError {
  field: FormField;
  message: string;
  line?: number;
  column?: number;
}

export interface FormProject {
  id: string;
  name: string;
  databases: string[];
}

export interface AccessForm extends AccessRequestBody {
  project: string;
}

export interface ResultsGrant {
  id: string;
  /** "grant #a1b2c3" */
  name: string;
  databases: string[];
  database?: string;
  statement: string;
}

// ---------------------------------------------------------------- host → page

export interface RequestFormInit {
  type: 'requestForm.init';
  projects: FormProject[];
  project?: string;
  databases: string[];
  statement: string;
  presets: string[];
  minDuration: string;
  maxDuration: string;
}

export interface RequestFormErrors {
  type: 'requestForm.errors';
  errors: FieldError[];
}

/** Sent when the request is created, and again whenever it changes (approved, rejected…). */
export interface RequestCreated {
  type: 'requestForm.created';
  request: RequestDetails;
}

export interface ResultsLoading {
  type: 'results.loading';
  grant: ResultsGrant;
}

export interface ResultsShow {
  type: 'results.show';
  grant: ResultsGrant;
  result: QueryResult;
  exportFormats: ExportFormat[];
}

export interface ResultsError {
  type: 'results.error';
  grant: ResultsGrant;
  message: string;
}

export interface ExportStatus {
  type: 'results.exportStatus';
  message: string;
}

export interface RequestShow {
  type: 'request.show';
  request: RequestDetails;
  canDecide: boolean;
}

export interface RequestDecisionFailed {
  type: 'request.error';
  message: string;
}

export type HostMessage =
  | RequestFormInit
  | RequestFormErrors
  | RequestCreated
  | ResultsLoading
  | ResultsShow
  | ResultsError
  | ExportStatus
  | RequestShow
  | RequestDecisionFailed;

// ---------------------------------------------------------------- page → host

export interface PageReady {
  type: 'ready';
}

export interface SubmitAccessForm {
  type: 'requestForm.submit';
  form: AccessForm;
}

export interface ExportResult {
  type: 'results.export';
  format: ExportFormat;
}

export interface RunAgain {
  type: 'results.run';
  database?: string;
}

export interface DecideRequest {
  type: 'request.decide';
  decision: 'approve' | 'reject';
  comment: string;
}

export type PageMessage = PageReady | SubmitAccessForm | ExportResult | RunAgain | DecideRequest;

const PAGE_MESSAGE_TYPES: ReadonlySet<string> = new Set<PageMessage['type']>(['ready', 'requestForm.submit', 'results.export', 'results.run', 'request.decide']);

/** Messages from a page are untrusted input: accept only the known shapes. */
export function isPageMessage(value: unknown): value is PageMessage {
  return typeof value === 'object' && value !== null && PAGE_MESSAGE_TYPES.has((value as { type?: unknown }).type as string);
}
