// MySQL/MariaDB errors as messages a user may see. The server's text is passed on only for
// errors about the statement's syntax and names; errors that can quote data (conversions,
// truncation) or accounts get fixed text, and connection details never appear.
import { EngineError } from './engine.js';
import { timeoutError } from './limits.js';

const SAFE = new Set([1052, 1054, 1055, 1060, 1064, 1066, 1111, 1140, 1146, 1222, 1241, 1242, 1247, 1248, 1250, 1305, 1582, 1583]);
const DENIED = new Set([1142, 1143, 1227, 1370]);
const TIMEOUT = new Set([1969, 3024]);

export interface MysqlErrorContext {
  /** The masking database a masked run reads through: named as the source database in messages. */
  maskDb?: string;
  /** Whether runs go through provisioned identities (denials then mean "outside the database"). */
  provisioned?: boolean;
}

export function mysqlError(error: unknown, database: string, timeoutMs: number, context: MysqlErrorContext = {}): EngineError {
  if (error instanceof EngineError) return error;
  const { errno, sqlState, message } = error as { errno?: number; sqlState?: string; message?: string };
  // Only the server's own errors carry an SQL state; anything else (refused connection, lost
  // socket, handshake) is unavailability.
  if (sqlState === undefined || errno === undefined) return new EngineError('unavailable', 'the database server is unavailable');
  if (TIMEOUT.has(errno)) return timeoutError(timeoutMs);
  if (errno === 1317) return new EngineError('aborted', 'statement was interrupted');
  if (errno === 1049 || errno === 1044) return new EngineError('not_found', `database "${database}" does not exist`);
  if (errno === 1792) return new EngineError('read_only', 'cannot execute the statement in a read-only transaction');
  if (errno === 1045) return new EngineError('unavailable', 'the database server refused the configured credentials');
  if (context.provisioned && (errno === 1142 || errno === 1143 || errno === 1370)) {
    return new EngineError('invalid', `a statement on "${database}" may read only that database's tables (error ${errno})`);
  }
  if (DENIED.has(errno)) return new EngineError('invalid', `the configured account may not do this (error ${errno})`);
  // A masking view that no longer matches its table: provisioning is out of date.
  if (errno === 1356 && context.maskDb) {
    return new EngineError('unavailable', `the masking views of "${database}" are out of date: re-provision the instance (npx jit-server provision)`);
  }
  if (SAFE.has(errno) && message) {
    let text = message;
    if (context.maskDb) {
      text = text.split(context.maskDb).join(database);
      // Only base tables are visible masked: the database's own views may read masked columns.
      if (errno === 1146) text += ' (masked runs read the base tables of the database only, not its views)';
    }
    return new EngineError('invalid', text);
  }
  return new EngineError('invalid', `the statement failed (error ${errno})`);
}
