// The embedded SQLite engine. Each database is the file <dir>/<NAME>.sqlite, opened read-only
// with query_only, and every statement runs in a worker process that is killed (and later
// replaced) when the statement runs past its limit or the caller aborts. A worker thread would
// not do: terminating one waits until SQLite returns from native code, which a runaway
// statement never does. The engine masks by itself (sqlite-session.ts): SQLite's authorizer
// decides what a statement may read, and masked columns come out of views computed in SQLite.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { fork, type ChildProcess, type ForkOptions } from 'node:child_process';
import { EngineError, UnknownTableError, type Cell, type Engine, type EngineColumn, type EngineCursor, type RunLimits, type RunScope, type WaitLimits } from './engine.js';
import type { EncodedRows, RowEncoding } from './encoded-rows.js';
import { checkDatabaseName } from './guard.js';
import { connectWithinLimits, withinLimits } from './limits.js';
import { batchCursor, cappedBatches, readAll, type Batch, type Rows } from './cursor.js';
import type { FromWorker, ToWorker, WorkerBatch } from './sqlite-protocol.js';

export interface SqliteEngineOptions {
  /** Folder holding the databases, one NAME.sqlite file each. */
  dir: string;
  /** Statements that may run at once; more wait for a worker. Default 4. */
  maxWorkers?: number;
  /** Rows per batch sent from the worker. Default 1000. */
  batchSize?: number;
}

// In the esbuild bundle this module lives in dist/server/cli.js and the worker is built
// beside it. From the TypeScript sources (tests, tsx) the worker is the .ts beside this file,
// loaded through tsx.
function workerSpawner(): () => ChildProcess {
  const options: ForkOptions = { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] };
  const built = fileURLToPath(new URL('./sqlite-worker.js', import.meta.url));
  if (existsSync(built)) return () => fork(built, [], { ...options, execArgv: [] });
  const source = fileURLToPath(new URL('./sqlite-worker.ts', import.meta.url));
  if (!existsSync(source)) throw new Error(`SQLite worker not found next to ${fileURLToPath(import.meta.url)}`);
  const execArgv = ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href];
  return () => fork(source, [], { ...options, execArgv });
}

/** One worker process and the single statement it may be running. */
class SqliteWorker {
  private readonly worker: ChildProcess;
  private pending: { resolve: (msg: FromWorker) => void; reject: (error: Error) => void } | undefined;
  /** Settles when the process has loaded the driver: starting one is not statement time. */
  readonly ready: Promise<FromWorker>;
  dead = false;

  constructor(spawn: () => ChildProcess) {
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
      this.worker.send(msg);
    });
  }

  send(msg: ToWorker): void {
    if (!this.dead) this.worker.send(msg);
  }

  /** An idle worker must not keep the service's process alive; a busy one must. */
  hold(busy: boolean): void {
    if (busy) {
      this.worker.ref();
      this.worker.channel?.ref();
    } else {
      this.worker.unref();
      this.worker.channel?.unref();
    }
  }

  async terminate(): Promise<void> {
    this.dead = true;
    if (this.worker.exitCode !== null || this.worker.signalCode !== null) return;
    const exited = new Promise((resolve) => this.worker.once('exit', resolve));
    // An unref'd child's exit would not keep the event loop alive: without this, a caller
    // awaiting close() at shutdown could see the process end before its next step runs.
    this.hold(true);
    this.worker.kill('SIGKILL');
    await exited;
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

  /**
   * A worker for one statement. Waiting for a busy one counts against the statement's limit
   * (long exports may hold them all); waiting for a new one to start does not: on a loaded
   * machine loading Node and the driver alone can outlast a short limit.
   */
  async acquire(limits: WaitLimits): Promise<SqliteWorker> {
    if (this.closed) throw new EngineError('unavailable', 'the SQLite engine is closed');
    const w =
      this.idle.pop() ??
      (this.size < this.max
        ? this.start()
        : await connectWithinLimits(new Promise<SqliteWorker>((resolve) => this.waiting.push(resolve)), limits, (late) => this.release(late)));
    w.hold(true);
    try {
      await withinLimits(w.ready, { signal: limits.signal }, () => undefined);
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
    if (next) return next(w);
    w.hold(false);
    this.idle.push(w);
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
  if (msg.type === 'error') throw msg.table === undefined ? new EngineError(msg.kind, msg.message) : new UnknownTableError(msg.table, msg.message);
  return msg;
}

export function createSqliteEngine(options: SqliteEngineOptions): Engine {
  const pool = new WorkerPool(options.maxWorkers ?? 4);
  const batchSize = options.batchSize ?? 1000;

  /** `B` is what the worker sends for the statement: cells, or with `encoding` encoded rows. */
  async function open<B extends Rows>(database: string, sql: string, limits: RunLimits, scope: RunScope, encoding?: RowEncoding): Promise<EngineCursor<B>> {
    checkDatabaseName(database);
    const worker = await pool.acquire(limits);
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
    // The first batch is what cappedBatches asks for first.
    const opened = await ask({ type: 'open', name: database, file: file(database), sql, unmask: scope.unmask, masking: scope.masking, encoding, max: Math.min(batchSize, Math.max(1, limits.maxRows)) });
    if (opened.type !== 'columns') throw new EngineError('unavailable', 'the SQLite worker answered out of turn');
    let first: WorkerBatch | undefined = opened.first;
    let exhausted = false;
    const batches = cappedBatches(limits.maxRows, batchSize, async (max) => {
      const msg = first ?? (await ask({ type: 'next', max }));
      first = undefined;
      if (msg.type !== 'batch') throw new EngineError('unavailable', 'the SQLite worker answered out of turn');
      exhausted = msg.exhausted;
      return { rows: msg.rows as B, exhausted };
    });
    const next = async (): Promise<Batch<B>> => {
      const batch = await batches();
      if (batch.done) {
        // Cut at the cap, the statement is still open on the worker: it must not hold its read there.
        if (!exhausted) worker.send({ type: 'close' });
        release(false);
      }
      return batch;
    };
    return batchCursor(opened.columns, next, async () => {
      if (released) return;
      worker.send({ type: 'close' });
      release(false);
    });
  }

  /** One question to a worker that needs no cursor: the worker is free again when it answers. */
  async function askOnce(msg: Extract<ToWorker, { type: 'reads' | 'tables' }>, limits: WaitLimits): Promise<FromWorker> {
    checkDatabaseName(msg.name);
    const worker = await pool.acquire(limits);
    let stopped = false;
    try {
      return unwrap(await withinLimits(worker.request(msg), limits, () => (stopped = true)));
    } finally {
      if (stopped || worker.dead) pool.discard(worker);
      else pool.release(worker);
    }
  }

  const file = (database: string) => join(options.dir, `${database}.sqlite`);

  return {
    kind: 'sqlite',
    open: (database, sql, limits, scope) => open<Cell[][]>(database, sql, limits, scope),
    openEncoded: (database, sql, limits, scope, encoding) => open<EncodedRows>(database, sql, limits, scope, encoding),
    async reads(database, sql, limits) {
      const msg = await askOnce({ type: 'reads', name: database, file: file(database), sql }, limits);
      if (msg.type !== 'reads') throw new EngineError('unavailable', 'the SQLite worker answered out of turn');
      return msg.reads;
    },
    async tables(database, limits) {
      const msg = await askOnce({ type: 'tables', name: database, file: file(database) }, limits);
      if (msg.type !== 'tables') throw new EngineError('unavailable', 'the SQLite worker answered out of turn');
      return msg.tables;
    },
    query: (database, sql, limits, scope) => readAll(open<Cell[][]>(database, sql, limits, scope)),
    close: () => pool.close(),
  };
}
