// Typed domain errors. Routes never build error responses themselves: they throw these and
// the app's onError maps each code to its status once (see server/http/errors.ts).
import type { ErrorCode } from '../../contract/errors.js';

export { ERROR_STATUS, type ErrorCode } from '../../contract/errors.js';

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra machine-readable detail for clients, e.g. the field or the statement position. */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const invalid = (message: string, details?: Record<string, unknown>) =>
  new DomainError('INVALID_ARGUMENT', message, details);
export const denied = (message: string) => new DomainError('PERMISSION_DENIED', message);
export const notFound = (message: string) => new DomainError('NOT_FOUND', message);
export const precondition = (message: string) => new DomainError('FAILED_PRECONDITION', message);
