// Typed domain errors. Routes never build error responses themselves: they throw these and
// the app's onError maps each code to its status once (see server/http/errors.ts).

export const ERROR_STATUS = {
  INVALID_ARGUMENT: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  FAILED_PRECONDITION: 409,
  PAYLOAD_TOO_LARGE: 413,
  RESOURCE_EXHAUSTED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

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
