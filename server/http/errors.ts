// The one place errors become responses: typed domain errors keep their code; anything else
// is INTERNAL with no stack, SQL or driver detail.
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { EngineError } from '../engines/engine.js';
import { DomainError, ERROR_STATUS, type ErrorCode } from '../domain/errors.js';

const ENGINE_CODES: Record<EngineError['kind'], ErrorCode> = {
  timeout: 'DEADLINE_EXCEEDED',
  unavailable: 'UNAVAILABLE',
  not_found: 'NOT_FOUND',
  read_only: 'FAILED_PRECONDITION',
  invalid: 'INVALID_ARGUMENT',
  aborted: 'FAILED_PRECONDITION',
};

export function toDomainError(err: unknown): DomainError {
  if (err instanceof DomainError) return err;
  if (err instanceof EngineError) return new DomainError(ENGINE_CODES[err.kind], err.message);
  if (err instanceof HTTPException) {
    if (err.status === 413) return new DomainError('PAYLOAD_TOO_LARGE', 'The request body is too large');
    if (err.status === 401) return new DomainError('UNAUTHENTICATED', 'Sign in: send "Authorization: Bearer <token>"');
    if (err.status < 500) return new DomainError('INVALID_ARGUMENT', err.message || 'The request is not valid');
  }
  return new DomainError('INTERNAL', 'Internal error; the service log has the details');
}

export function errorResponse(c: Context, err: DomainError) {
  if (typeof err.details?.retryAfterSeconds === 'number') c.header('Retry-After', String(err.details.retryAfterSeconds));
  return c.json({ error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } }, ERROR_STATUS[err.code]);
}
