// Shared Hono types and small helpers for the route modules.
import { OpenAPIHono, type z } from '@hono/zod-openapi';
import type { Actor, Deps } from '../domain/deps.js';
import { invalid } from '../domain/errors.js';
import { fieldIssues, formatZodError } from '../config/load.js';
import { ErrorBody } from '../../contract/schemas.js';

export type AppEnv = { Variables: { actor: Actor } };

export function router() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const first = fieldIssues(result.error)[0];
        throw invalid(formatZodError(result.error), first ? { field: first.path.join('.') } : undefined);
      }
    },
  });
}

export const json = <T extends z.ZodType>(schema: T, description = 'OK') => ({
  content: { 'application/json': { schema } },
  description,
});

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  body: { content: { 'application/json': { schema } }, required: true },
});

/** The error responses every authenticated route may give. */
export const errors = {
  400: json(ErrorBody, 'Invalid argument'),
  401: json(ErrorBody, 'Missing or unknown token'),
  403: json(ErrorBody, 'Permission denied'),
  404: json(ErrorBody, 'Not found'),
  409: json(ErrorBody, 'Wrong state: feature off, not active, already decided'),
} as const;

/** The further error responses of every route that runs a statement. */
export const engineErrors = {
  429: json(ErrorBody, 'Over your share of the instance (maxRunningPerUser); retry after Retry-After seconds'),
  503: json(ErrorBody, 'Database unavailable'),
  504: json(ErrorBody, 'Statement timed out'),
} as const;

export const secured = [{ bearer: [] }];

export type RouteDeps = Deps;
