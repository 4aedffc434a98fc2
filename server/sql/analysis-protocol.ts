// Messages between the service and its statement-analysis worker thread.
import type { EngineKind } from '../engines/engine.js';
import type { CheckedStatement } from './statement-gate.js';

export interface AnalysisRequest {
  id: number;
  sql: string;
  kind: EngineKind;
}

export type AnalysisReply =
  | { id: number; result: CheckedStatement }
  /** The gate refused the statement (INVALID_ARGUMENT, with its position). */
  | { id: number; refused: { message: string; details?: Record<string, unknown> } }
  /** The gate itself failed: a bug, reported as an internal error. */
  | { id: number; failed: string };
