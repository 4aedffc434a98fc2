// Checks a Request Data Access form before sending it, and places the service's validation
// errors beside the field they concern.
import type { AccessForm, FieldError, FormField } from '../../webview/protocol.js';
import { FORM_FIELDS } from '../../webview/protocol.js';
import { ApiError, describeError } from './api-errors.js';
import type { AccessRequestBody } from './api-types.js';
import { expirationProblem, type ExpirationBounds } from './expiration.js';

export function validateAccessForm(form: AccessForm, bounds: ExpirationBounds): FieldError[] {
  const errors: FieldError[] = [];
  if (!form.project) errors.push({ field: 'project', message: 'Choose a project.' });
  if (form.databases.length === 0) errors.push({ field: 'databases', message: 'Choose at least one database.' });
  if (!form.statement.trim()) errors.push({ field: 'statement', message: 'Enter the SELECT statement you need to run.' });
  const duration = expirationProblem(form.duration, bounds);
  if (duration) errors.push({ field: 'duration', message: duration });
  if (!form.reason.trim()) errors.push({ field: 'reason', message: 'Say why you need this data; approvers read it.' });
  return errors;
}

export function accessRequestBody(form: AccessForm): AccessRequestBody {
  return {
    databases: form.databases,
    statement: form.statement,
    export: form.export,
    unmask: form.unmask,
    duration: form.duration.trim(),
    reason: form.reason.trim(),
  };
}

/** A refused request as errors beside the form's fields. */
export function fieldErrorsFrom(error: unknown, serverUrl: string): FieldError[] {
  if (error instanceof ApiError && error.code === 'INVALID_ARGUMENT') {
    const field = FORM_FIELDS.find((f) => f === error.field) ?? (error.position ? 'statement' : 'form');
    return [{ field: field as FormField, message: error.message, line: error.position?.line, column: error.position?.column }];
  }
  return [{ field: 'form', message: describeError(error, serverUrl).message }];
}
