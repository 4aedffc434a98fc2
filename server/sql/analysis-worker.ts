// The worker thread of server/sql/analysis.ts: reads statements with the request-time gate,
// one at a time, off the service's event loop.
// Stryker disable all: a mutation run switches mutants on in the test runner's thread, never in
// a worker thread, so no test could kill a mutant here; what the worker answers is tested through
// analysis.ts (test/unit/server/statement-analysis-threads.test.ts).
import { parentPort } from 'node:worker_threads';
import { DomainError } from '../domain/errors.js';
import { checkStatement } from './statement-gate.js';
import type { AnalysisReply, AnalysisRequest } from './analysis-protocol.js';

parentPort!.on('message', ({ id, sql, kind }: AnalysisRequest) => {
  let reply: AnalysisReply;
  try {
    reply = { id, result: checkStatement(sql, kind) };
  } catch (err) {
    reply = err instanceof DomainError
      ? { id, refused: { message: err.message, details: err.details } }
      : { id, failed: String((err as Error)?.stack ?? err) };
  }
  parentPort!.postMessage(reply);
});
