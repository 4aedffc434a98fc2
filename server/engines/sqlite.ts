// The embedded SQLite engine. Each database is the file <dir>/<NAME>.sqlite, opened read-only
// with query_only, and every statement runs in a worker thread that is terminated (and later
// replaced) when the statement runs past its limit or the caller aborts.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { EngineError, type Cell, type Engine, type EngineColumn, type EngineCursor, type RunLimits } from './engine.js';
import { withinLimits } from './limits.js';
import { readAll } from './read-all.js';
import type { FromWorker, ToWorker } from './sqlite-protocol.js';

export interface SqliteEngineOptions {
  /** Folder holding the databases, one NAME.sqlite file each. */
  dir: string;
  /** Statements that may run at once; more wait for a worker. Default 4. */
  maxWorkers?: number;
  /** Rows per batch sent from the worker. Default 1000. */
  batchSize?: number;
}

const DATABASE_NAME = /^[A-Za-z0-9_$-]{1,128}$/;

// In the esbuild bundle this module lives in dist/server/cli.js and the worker is built
// beside it. From the TypeScript sources (tests, tsx) the worker is the .ts beside this file;
// Node 20 does not apply tsx's `--import` hooks to a worker's entry, so the worker registers
// tsx itself before loading it.
function workerSpawner(): () => Worker {
  const built = new URL('./sqlite-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(built))) return () => new Worker(built);
  const source = new URL('./sqlite-worker.ts', import.meta.url);
  if (!existsSync(fileURLToPath(source))) throw new Error(`SQLite worker not found next to ${fileURLToPath(import.meta.url)}`);
  const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
    .then((tsx) => { tsx.register(); return import(${JSON.stringify(source.href)}); })`;
  return () => new Worker(boot, { eval: true });
}

/** One worker thread and the single statement it may be running. */
class SqliteWorker {
  private readonly worker: Worker;
  private pending: { resolve: (msg: FromWorker) => void; reject: (error: Error) => void } | undefined;
  /** Settles when the thread has loaded the driver: starting a thread is not statement time. */
  readonly ready: Promise<FromWorker>;
  dead = false;

  constructor(spawn: () => Worker) {
    this.ready = new Promise((resolve, reject) => (this.pending = { resolve, reject }));
    this.worker = spawn();
    this.worker.on('message', (msg: FromWorker) => this.settle((p) => p.resolve(msg)));
    this.worker.on('error', () => this.die());
    this.worker.on('exit', () => this.die());
  }

  request(msg: ToWorker): Promise<FromWorker> {
    if (this.dead) return Promise.reject(new EngineError('unavailable', 'the SQLite worker stopped'));
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.postMessage(msg);
    });
  }

  send(msg: ToWorker): void {
    if (!this.dead) this.worker.postMessage(msg);
  }

  async terminate(): Promise<void> {
    this.dead = true;
    await this.worker.terminate();
  }

  private die(): void {
    this.dead = true;
    this.settle((p) => p.reject(new EngineError('unavailable', 'the SQLite worker stopped')));
  }

  private settle(fn: (p: NonNullable<SqliteWorker['pending']>) => void): void {
    const p = this.pending;
    this.pending = undefined;
    if (p) fn(p);
  }
}

class WorkerPool {
  private readonly idle: SqliteWorker[] = [];
  private readonly waiting: ((w: SqliteWorker) => void)[] = [];
  private size = 0;
  private closed = false;
  private readonly spawn = workerSpawner();

  constructor(private readonly max: number) {}

  async acquire(): Promise<SqliteWorker> {
    if (this.closed) throw new EngineError('unavailable', 'the SQLite engine is closed');
    const w = this.idle.pop() ?? (this.size < this.max ? this.start() : await new Promise<SqliteWorker>((resolve) => this.waiting.push(resolve)));
    try {
      await w.ready;
    } catch (error) {
      this.discard(w);
      throw error;
    }
    return w;
  }

  private start(): SqliteWorker {
    this.size++;
    return new SqliteWorker(this.spawn);
  }

  release(w: SqliteWorker): void {
    if (w.dead || this.closed) return this.discard(w);
    const next = this.waiting.shift();
    if (next) next(w);
    else this.idle.push(w);
  }

  /** Terminates a worker whose statement must stop; a waiting caller gets a fresh one. */
  discard(w: SqliteWorker): void {
    void w.terminate();
    this.size--;
    const next = this.waiting.shift();
    if (next && !this.closed) next(this.start());
  }

  async close(): Promise<void> {
    this.closed = true;
    const idle = this.idle.splice(0);
    this.size -= idle.length;
    await Promise.all(idle.map((w) => w.terminate()));
  }
}

function unwrap(msg: FromWorker): Exclude<FromWorker, { type: 'error' }> {
  if (msg.type === 'error') throw new EngineError(msg.kind, msg.message);
  return msg;
}

export function createSqliteEngine(options: SqliteEngineOptions): Engine {
  const pool = new WorkerPool(options.maxWorkers ?? 4);
  const batchSize = options.batchSize ?? 1000;

  async function open(database: string, sql: string, limits: RunLimits): Promise<EngineCursor> {
    if (!DATABASE_NAME.test(database)) throw new EngineError('not_found', `database "${database}" does not exist`);
    const acquiring = pool.acquire();
    // Waiting for a free worker is bounded by the other statements' limits, so only an abort ends it.
    const worker = await withinLimits(acquiring, { signal: limits.signal }, () => void acquiring.then((w) => pool.release(w), () => undefined));
    let released = false;
    const release = (stop: boolean) => {
      if (released) return;
      released = true;
      if (stop) pool.discard(worker);
      else pool.release(worker);
    };
    const ask = async (msg: ToWorker) => {
      try {
        return unwrap(await withinLimits(worker.request(msg), limits, () => release(true)));
      } catch (error) {
        release(worker.dead || !(error instanceof EngineError));
        throw error;
      }
    };
    const first = await ask({ type: 'open', name: database, file: join(options.dir, `${database}.sqlite`), sql, maxRows: limits.maxRows, batchSize });
    const columns: EngineColumn[] = first.type === 'columns' ? first.columns : [];
    let truncated = false;
    return {
      columns,
      get truncated() {
        return truncated;
      },
      async *batches(): AsyncGenerator<Cell[][]> {
        while (!released) {
          const msg = await ask({ type: 'next' });
          if (msg.type !== 'batch') throw new EngineError('unavailable', 'the SQLite worker answered out of turn');
          if (msg.done) {
            truncated = msg.truncated;
            release(false);
          }
          if (msg.rows.length > 0) yield msg.rows;
        }
      },
      async close() {
        if (released) return;
        worker.send({ type: 'close' });
        release(false);
      },
    };
  }

  return {
    kind: 'sqlite',
    open,
    query: (database, sql, limits) => readAll(open(database, sql, limits)),
    close: () => pool.close(),
  };
}
