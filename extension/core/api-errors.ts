// Errors from the service, and what to tell the user about them. Every message names a next
// step, because "403" alone leaves a user stuck.
import { ERROR_CODES, ERROR_STATUS, type ErrorCode as ServiceErrorCode } from '../../contract/errors.js';

/** Codes of failures that never reached the service or were stopped by the user. */
export type ClientErrorCode = 'UNAVAILABLE' | 'CANCELLED' | 'NO_TOKEN';

export type ErrorCode = ServiceErrorCode | ClientErrorCode | string;

export interface SourcePosition {
  line: number;
  column: number;
}

export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly status: number,
    /** The request field the service complained about, when it said so. */
    readonly field?: string,
    readonly position?: SourcePosition,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export type NextStep = 'signIn' | 'startService' | 'requestAccess' | 'refresh';

export const NEXT_STEP_LABELS: Record<NextStep, string> = {
  signIn: 'Sign In',
  startService: 'Start the service',
  requestAccess: 'Request access',
  refresh: 'Refresh',
};

export interface FriendlyError {
  message: string;
  nextStep?: NextStep;
}

/** Builds an ApiError from an HTTP error response body (`{"error":{"code","message",…}}`). */
export function errorFromResponse(status: number, body: unknown): ApiError {
  const error = isRecord(body) && isRecord(body.error) ? body.error : {};
  const code = typeof error.code === 'string' ? error.code : codeForStatus(status);
  const message = typeof error.message === 'string' && error.message ? error.message : `HTTP ${status}`;
  const details = isRecord(error.details) ? error.details : error;
  const field = typeof details.field === 'string' ? details.field : fieldFromMessage(message);
  return new ApiError(code, message, status, field, positionOf(details) ?? positionFromMessage(message));
}

/** For an error body without a code (a proxy's, say): the service's code for that status. */
function codeForStatus(status: number): ServiceErrorCode {
  return ERROR_CODES.find((code) => ERROR_STATUS[code] === status) ?? 'INTERNAL';
}

function positionOf(details: Record<string, unknown>): SourcePosition | undefined {
  const source = isRecord(details.position) ? details.position : details;
  if (typeof source.line === 'number' && typeof source.column === 'number') {
    return { line: source.line, column: source.column };
  }
  return undefined;
}

function positionFromMessage(message: string): SourcePosition | undefined {
  const m = /line\s+(\d+)\D{1,12}column\s+(\d+)/i.exec(message) ?? /\b(\d+):(\d+)\b/.exec(message);
  return m ? { line: Number(m[1]), column: Number(m[2]) } : undefined;
}

const FORM_FIELDS = ['statement', 'databases', 'duration', 'reason', 'role', 'export', 'unmask'] as const;

/** The service names the offending field in its message ("statement: …", "duration must …"). */
function fieldFromMessage(message: string): string | undefined {
  const lower = message.toLowerCase();
  return FORM_FIELDS.find((f) => lower.startsWith(f) || lower.includes(`"${f}"`) || lower.includes(` ${f} `) || lower.includes(`${f}:`));
}

/** What to show the user for any failure of a service call. */
export function describeError(error: unknown, serverUrl: string): FriendlyError {
  if (!(error instanceof ApiError)) {
    return { message: `Just-In-Time Access failed: ${error instanceof Error ? error.message : String(error)}` };
  }
  switch (error.code) {
    case 'UNAVAILABLE':
      return { message: `The Just-In-Time Access service at ${serverUrl} is not reachable. Start it (npm start) or check the "jitAccess.serverUrl" setting.`, nextStep: 'startService' };
    case 'NO_TOKEN':
      return { message: 'You are not signed in to Just-In-Time Access. Sign in with your access token.', nextStep: 'signIn' };
    case 'UNAUTHENTICATED':
      return { message: 'The service did not accept your access token. Sign in again with a valid token.', nextStep: 'signIn' };
    case 'PERMISSION_DENIED':
      return { message: `You lack the rights for this: ${error.message}. Request access or ask a project owner.`, nextStep: 'requestAccess' };
    case 'NOT_FOUND':
      return { message: `Not found: ${error.message}. It may have been removed; refresh the list.`, nextStep: 'refresh' };
    case 'FAILED_PRECONDITION':
      return { message: `Not possible right now: ${error.message}`, nextStep: 'refresh' };
    case 'DEADLINE_EXCEEDED':
      return { message: `The service took too long: ${error.message}. Narrow the statement and try again.` };
    case 'CANCELLED':
      return { message: 'Cancelled.' };
    default:
      return { message: error.message };
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
