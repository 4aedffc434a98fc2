// The one message protocol between the extension host and its webview pages. Both sides
// import it; every message is a named member of a discriminated union.
// What the host computes for the pages (request details, review rows) is declared here, so
// neither side imports the other's code; the service's objects come from the contract.
import type { AccessRequestBody, ExportFormat, QueryResult } from '../contract/index.js';

export type PageKind = 'requestForm' | 'results' | 'request' | 'grantsReview';

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

export type ResultColumn = QueryResult['columns'][number];
export type ResultCell = QueryResult['rows'][number][number];

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
  /** The result with its first rows only; the others follow in `results.rows` messages. */
  result: QueryResult;
  /** Rows still to come after `result.rows`. */
  moreRows: number;
  exportFormats: ExportFormat[];
  /** The `jitAccess.allowCopyData` setting: false hides copying from the grid. */
  allowCopy: boolean;
}

/** The next rows of the result `results.show` started, sent when the page asks (`results.more`). */
export interface ResultsRows {
  type: 'results.rows';
  rows: ResultCell[][];
}

/** The `jitAccess.allowCopyData` setting changed while the page is open. */
export interface CopyPolicy {
  type: 'results.copyPolicy';
  allowCopy: boolean;
}

/** What the host did with a copy: "Copied 3 rows as TSV", or why it did not. */
export interface CopyStatus {
  type: 'results.copyStatus';
  message: string;
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
  /** The requester, while the request is open: the page offers Cancel Request. */
  canCancel?: boolean;
}

export interface RequestDecisionFailed {
  type: 'request.error';
  message: string;
}

/** Every grant and role binding of a project as its reviewers see them, with the filters applied. */
export interface ReviewShow {
  type: 'review.show';
  projects: { id: string; name: string }[];
  project: string;
  /** The project's databases, for the database filter. */
  databases: string[];
  filters: ReviewFilters;
  rows: ReviewRow[];
}

/** A status line ("Revoked grant #a1b2c3.") or, with `error`, what went wrong and what to do. */
export interface ReviewStatus {
  type: 'review.status';
  message: string;
  error: boolean;
}

export type HostMessage =
  | ReviewShow
  | ReviewStatus
  | RequestFormInit
  | RequestFormErrors
  | RequestCreated
  | ResultsLoading
  | ResultsShow
  | ResultsRows
  | ResultsError
  | ExportStatus
  | CopyPolicy
  | CopyStatus
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

/**
 * Text for the clipboard. The page's own clipboard is not reliable inside a webview (it needs
 * focus and a permission the web workbench may not grant), so the host writes it.
 */
export interface CopyToClipboard {
  type: 'results.copy';
  text: string;
  /** "3 rows as TSV", for the confirmation. */
  what: string;
}

/**
 * The page has shown what it got and wants the next rows. Pulled rather than pushed: rows
 * queued behind the first message would hold back its paint while they are deserialized.
 */
export interface MoreRows {
  type: 'results.more';
}

/** An approver's decision, or the requester's 'cancel'. */
export interface DecideRequest {
  type: 'request.decide';
  decision: 'approve' | 'reject' | 'cancel';
  comment: string;
}

/** Load the review of `project` with the filters as typed (the host validates them). */
export interface LoadReview {
  type: 'review.load';
  project: string;
  filters: Record<string, string>;
}

/** Revoke a grant or role binding; the host asks to confirm and for a reason. */
export interface RevokeFromReview {
  type: 'review.revoke';
  kind: 'grant' | 'role';
  id: string;
}

export type PageMessage = PageReady | SubmitAccessForm | ExportResult | RunAgain | CopyToClipboard | MoreRows | DecideRequest | LoadReview | RevokeFromReview;

const PAGE_MESSAGE_TYPES: ReadonlySet<string> = new Set<PageMessage['type']>(['ready', 'requestForm.submit', 'results.export', 'results.run', 'results.copy', 'results.more', 'request.decide', 'review.load', 'review.revoke']);

/** Messages from a page are untrusted input: accept only the known shapes. */
export function isPageMessage(value: unknown): value is PageMessage {
  if (typeof value !== 'object' || value === null || !PAGE_MESSAGE_TYPES.has((value as { type?: unknown }).type as string)) return false;
  const message = value as { type: PageMessage['type']; [field: string]: unknown };
  // The payloads the host uses as they come: the clipboard text, and the ids it sends to the service.
  if (message.type === 'results.copy') return typeof message.text === 'string' && typeof message.what === 'string';
  if (message.type === 'review.load') return typeof message.project === 'string' && typeof message.filters === 'object' && message.filters !== null;
  if (message.type === 'review.revoke') return (message.kind === 'grant' || message.kind === 'role') && typeof message.id === 'string';
  return true;
}

/** A request as the Request view and the form's confirmation show it: plain strings, computed once on the host. */
export interface StepLine {
  /** "Step 1: projectOwner" */
  label: string;
  /** "approved by bob — looks fine", "waiting", "rejected by dana", "not reached" */
  state: string;
}

export interface RequestDetails {
  id: string;
  /** "Request #a1b2c3" */
  title: string;
  status: string;
  /** "OPEN — waiting on step 1 of 2: projectOwner" */
  statusLine: string;
  creator: string;
  project: string;
  kind: 'access' | 'role';
  role?: string;
  statement?: string;
  databases: string[];
  tables: string[];
  export: boolean;
  unmask: boolean;
  duration: string;
  reason: string;
  steps: StepLine[];
  createTime: string;
  expireTime?: string;
  /** What an approver weighs besides the request itself. */
  context: ApproverContext;
}

export interface ApproverContext {
  databases: { name: string; environment: string; production: boolean }[];
  /** "The owner approves (REQUEST_ACCESS)" */
  rule: string;
  /** "demo/hr_us: employees" */
  tablesRead: string[];
  /** "demo/hr_us: employees.email" — what Unmask would show in clear. */
  revealsMaskedColumns: string[];
}

/** The Access Grants review's filters and rows. */
export const REVIEW_STATES = ['ACTIVE', 'PENDING', 'EXPIRED', 'REVOKED'] as const;
export type ReviewState = (typeof REVIEW_STATES)[number];

export interface ReviewFilters {
  state?: ReviewState;
  user?: string;
  database?: string;
  /** "2h": only active access ending within it. */
  expiringWithin?: string;
}

export interface ReviewRow {
  kind: 'grant' | 'role';
  id: string;
  /** "grant #a1b2c3", "role sqlEditorUser" */
  name: string;
  requester: string;
  databases: string[];
  /** The grant's statement, or the role's name. */
  what: string;
  badges: string[];
  state: string;
  /** "bob, dana", or "nobody (auto-approved)" */
  approvers: string;
  /** "1h 5m left", "expired 2026-01-01 12:00", "revoked by bob", "not active yet" */
  expiry: string;
  /** "3 runs · 1 export · last used 5m ago", "never used" */
  usage: string;
  revocable: boolean;
}
