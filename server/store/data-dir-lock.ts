// One service per data directory: two services appending to one audit log give two entries
// the same sequence number and break the chain for good.
//
// The lock is SQLite's own file lock on <data-dir>/service.lock, held in EXCLUSIVE locking
// mode for the life of the process. It is a kernel lock (fcntl), so the OS drops it when the
// process dies however it dies — a SIGKILLed service never blocks its restart, and there is no
// stale-lock guessing. A pid file created with O_EXCL would need exactly that guessing: is
// the pid alive, is it still a jit-server, or was the pid reused (after a reboot it often is);
// and breaking a stale lock races with another starter doing the same. SQLite also refuses a
// second connection in the same process, so two in-process services on one directory are
// refused like two processes. Network filesystems with unreliable fcntl locks are not
// covered.
//
// A locked file cannot be read, so who holds it (pid, address) is written beside it to
// service.json, for the refusal message only. service.lock is never deleted: a starter that
// opened the old file and one that created a new one would both get "their" lock.
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export interface LockHolder {
  pid: number;
  startedAt: string;
  /** Set once the service listens. */
  host?: string;
  port?: number;
}

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder | undefined,
  ) {
    super(`data directory ${dataDir} is in use by another jit-server (${describe(holder)}); stop it first, or give this one another --data-dir`);
  }
}

function describe(holder: LockHolder | undefined): string {
  if (!holder) return 'pid unknown: it is starting or does not say';
  const where = holder.port === undefined ? 'not listening yet' : `listening on ${holder.host}:${holder.port}`;
  return `pid ${holder.pid}, ${where}, started ${holder.startedAt}`;
}

export interface DataDirLock {
  /** Records where the holder listens, for the message a second service prints. */
  listening(host: string, port: number): void;
  /** Idempotent. */
  release(): void;
}

function readHolder(file: string): LockHolder | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LockHolder;
  } catch {
    return undefined;
  }
}

/** Takes the data directory for this process, or throws DataDirLockedError without writing anything. */
export function lockDataDir(dataDir: string): DataDirLock {
  const infoFile = join(dataDir, 'service.json');
  // timeout 0: a held lock is an answer, not something to wait for.
  const db = new Database(join(dataDir, 'service.lock'), { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE; COMMIT');
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code === 'SQLITE_BUSY') throw new DataDirLockedError(dataDir, readHolder(infoFile));
    throw err;
  }
  let holder: LockHolder = { pid: process.pid, startedAt: new Date().toISOString() };
  const write = () => {
    // Renamed into place so a reader never sees half of it.
    const tmp = `${infoFile}.tmp-${process.pid}`;
    writeFileSync(tmp, `${JSON.stringify(holder)}\n`);
    renameSync(tmp, infoFile);
  };
  write();
  let held = true;
  return {
    listening(host, port) {
      holder = { ...holder, host, port };
      write();
    },
    release() {
      if (!held) return;
      held = false;
      rmSync(infoFile, { force: true });
      db.close();
    },
  };
}
