// Reads statements with the request-time gate without holding the event loop. Lexing every
// dialect reading and parsing take a few milliseconds for a typical statement but seconds for
// the longest ones, and ten of those at once held every other request (/healthz included) for
// 11 s; short statements are read in place, long ones on a worker thread. A statement longer
// than the workspace's maxStatementLength is refused before any of it is read.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { DomainError, invalid } from '../domain/errors.js';
import type { EngineKind } from '../engines/engine.js';
import type { AnalysisReply, AnalysisRequest } from './analysis-protocol.js';
import { checkStatement, type CheckedStatement } from './statement-gate.js';
import { serial } from '../concurrency/serial.js';

export interface StatementAnalyzer {
  /** The statement's reading, or INVALID_ARGUMENT saying why (with a position) it is refused. */
  analyze(sql: string, kind: EngineKind, maxLength: number): Promise<CheckedStatement>;
  close(): Promise<void>;
}

export interface AnalyzerOptions {
  /** Statements up to this many characters are read on the calling thread. Default 4,000. */
  inlineMax?: number;
  /** A reading that takes longer is abandoned and the statement refused. Default 10 s. */
  timeoutMs?: number;
}

// In the esbuild bundle this module lives in dist/server/cli.js and the worker is built
// beside it; from the TypeScript sources (tests, tsx) the worker is the .ts beside this file.
function spawnWorker(): Worker {
  const built = fileURLToPath(new URL('./analysis-worker.js', import.meta.url));
  if (existsSync(built)) return new Worker(built);
  // A worker thread does not inherit the parent's module hooks: it registers tsx itself.
  const source = new URL('./analysis-worker.ts', import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  return new Worker(`import(${JSON.stringify(tsx)}).then((t) => { t.register(); return import(${JSON.stringify(source)}); })`, { eval: true });
}

interface Pending {
  resolve: (value: CheckedStatement) => void;
  reject: (error: Error) => void;
}

export function createStatementAnalyzer(options: AnalyzerOptions = {}): StatementAnalyzer {
  const inlineMax = options.inlineMax ?? 4_000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  let worker: Worker | undefined;
  let nextId = 1;
  const pending = new Map<number, Pending>();
  // One statement at a time on the worker, so the time limit measures that statement alone.
  const oneAtATime = serial();

  const failAll = (error: Error) => {
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };

  function workerFor(): Worker {
    if (worker) return worker;
    const w = spawnWorker();
    w.unref();
    w.on('message', (reply: AnalysisReply) => {
      const p = pending.get(reply.id);
      if (!p) return;
      pending.delete(reply.id);
      if ('result' in reply) p.resolve(reply.result);
      else if ('refused' in reply) p.reject(invalid(reply.refused.message, reply.refused.details));
      else p.reject(new Error(`statement analysis failed: ${reply.failed}`));
    });
    w.on('error', (err) => failAll(err));
    w.on('exit', () => {
      // A worker stopped on purpose (its read timed out, or the analyzer closed) was replaced
      // first; what is pending now belongs to its successor.
      if (worker !== w) return;
      worker = undefined;
      failAll(new DomainError('UNAVAILABLE', 'The statement checker stopped; try again'));
    });
    return (worker = w);
  }

  function onWorker(request: Omit<AnalysisRequest, 'id'>): Promise<CheckedStatement> {
    const run = () =>
      new Promise<CheckedStatement>((resolve, reject) => {
        const id = nextId++;
        const w = workerFor();
        const timer = setTimeout(() => {
          pending.delete(id);
          if (worker === w) worker = undefined;
          reject(invalid(`The statement is too complex to check: reading it took longer than ${timeoutMs / 1000} s`, { field: 'statement' }));
          void w.terminate();
        }, timeoutMs);
        pending.set(id, {
          resolve: (v) => (clearTimeout(timer), resolve(v)),
          reject: (e) => (clearTimeout(timer), reject(e)),
        });
        w.postMessage({ id, ...request } satisfies AnalysisRequest);
      });
    return oneAtATime.run(run);
  }

  return {
    async analyze(sql, kind, maxLength) {
      if (sql.length > maxLength) {
        throw invalid(`The statement is ${sql.length} characters long; the limit is ${maxLength} (workspace setting maxStatementLength)`, { field: 'statement' });
      }
      return sql.length <= inlineMax ? checkStatement(sql, kind) : onWorker({ sql, kind });
    },
    async close() {
      const w = worker;
      worker = undefined;
      failAll(new DomainError('UNAVAILABLE', 'The service is stopping'));
      await w?.terminate();
    },
  };
}
