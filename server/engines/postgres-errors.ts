// PostgreSQL errors as messages a user may see. Server messages are passed on only for
// classes that speak about the statement (syntax, names, read-only refusals); messages that
// can quote data (invalid input, casts, user functions raising) are replaced by fixed text,
// so a masked value can never surface through an error. Connection details never appear.
import pg from 'pg';
import { EngineError } from './engine.js';
import { timeoutError } from './limits.js';

const SAFE_CLASSES = new Set(['42', '0A', '54', '25']);
const DATA_ERRORS: Record<string, string> = {
  '22012': 'division by zero',
  '22003': 'a numeric value is out of range',
  '22P02': 'a value has invalid input syntax for its type',
  '22007': 'a value has an invalid date or time format',
  '22008': 'a date or time value is out of range',
};

export function pgError(error: unknown, database: string, timeoutMs: number): EngineError {
  if (error instanceof EngineError) return error;
  // Anything but the server's own error (refused connection, lost socket) is unavailability.
  if (!(error instanceof pg.DatabaseError)) return new EngineError('unavailable', 'the database server is unavailable');
  const { code, message } = error;
  if (code === '57014') {
    return /statement timeout/.test(message ?? '')
      ? timeoutError(timeoutMs)
      : new EngineError('aborted', 'statement was canceled');
  }
  if (code === '3D000') return new EngineError('not_found', `database "${database}" does not exist`);
  if (code === '25006') return new EngineError('read_only', message ?? 'cannot write in a read-only transaction');
  if (code === '28P01' || code === '28000') return new EngineError('unavailable', 'the database server refused the configured credentials');
  if (code === '53300' || code === '57P03') return new EngineError('unavailable', 'the database server is not accepting connections');
  if (code?.startsWith('22')) return new EngineError('invalid', `${DATA_ERRORS[code] ?? 'a value could not be processed'} (SQLSTATE ${code})`);
  if (code && SAFE_CLASSES.has(code.slice(0, 2))) return new EngineError('invalid', message);
  return new EngineError('invalid', `the statement failed (SQLSTATE ${code ?? 'unknown'})`);
}
