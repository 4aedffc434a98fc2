// The audit chain is checked at every start, so a service never appends to a broken chain
// without saying so. Walking the whole log costs about 1 s per 100,000 entries (47 MB) on a
// busy 2-core machine, too slow to pay at every start, so the walk begins at a checkpoint: the
// chain point written when the service last started or stopped cleanly. The checkpoint's own
// line is read back and must still hash as recorded, which also catches a log cut short or
// replaced behind the service's back. Edits to lines before the checkpoint are not seen here;
// `jit-server audit verify` walks everything.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { dirname } from 'node:path';
import { CHAIN_START, walkChain, type ChainBreak, type ChainPoint, type ChainWalk } from './chain.js';
import { hashEntry, type AuditEntry } from './entry.js';

export class BrokenAuditLogError extends Error {
  constructor(
    readonly file: string,
    readonly broken: ChainBreak,
  ) {
    super(
      `audit log ${file} is broken at line ${broken.line}: ${broken.reason}. The service does not append to a broken chain. ` +
        `See what happened with \`jit-server audit verify --data-dir ${dirname(file)}\`, then restore the log from a backup, or start with ` +
        '--accept-broken-audit-log to record in the log that you accept the break as it is; the chain then goes on in a new segment after it',
    );
  }
}

const checkpointFile = (file: string) => `${file}.checkpoint`;

async function readCheckpoint(file: string): Promise<ChainPoint | undefined> {
  try {
    const point = JSON.parse(await fs.readFile(checkpointFile(file), 'utf8')) as ChainPoint;
    return [point.line, point.start, point.offset].every(Number.isInteger) && typeof point.hash === 'string' ? point : undefined;
  } catch {
    // Missing or unreadable: the whole log is walked, which is slow but never wrong.
    return undefined;
  }
}

/**
 * Only ever points at lines already fsync'ed (the caller syncs first); renamed into place. It
 * is not fsync'ed itself: a lost or stale checkpoint only makes the next start walk more.
 */
export async function writeCheckpoint(file: string, point: ChainPoint): Promise<void> {
  const tmp = `${checkpointFile(file)}.tmp-${process.pid}`;
  await fs.writeFile(tmp, `${JSON.stringify(point)}\n`);
  await fs.rename(tmp, checkpointFile(file));
}

/** Whether the log still holds the checkpoint's line, unchanged. */
async function holds(file: string, point: ChainPoint): Promise<boolean> {
  if (point.line === 0) return true;
  const handle = await fs.open(file, 'r');
  try {
    const bytes = Buffer.alloc(point.offset - point.start);
    const { bytesRead } = await handle.read(bytes, 0, bytes.length, point.start);
    if (bytesRead !== bytes.length || bytes[bytes.length - 1] !== 0x0a) return false;
    const { hash, ...body } = JSON.parse(bytes.toString('utf8')) as AuditEntry;
    return body.seq === point.line && hash === point.hash && hashEntry(body) === hash;
  } catch {
    return false;
  } finally {
    await handle.close();
  }
}

/**
 * Walks the complete lines before `end` (a torn tail up to `size` is cut by the caller), from
 * the checkpoint when it still holds.
 */
export async function checkChainAtStart(file: string, end: number, size: number): Promise<ChainWalk> {
  const from = await readCheckpoint(file);
  if (from && from.offset <= end && (await holds(file, from))) return walkChain(file, { from, end });
  const walk = await walkChain(file, { from: CHAIN_START, end });
  if (!from || walk.broken) return walk;
  // The checkpoint's own line torn (only a disk that loses synced writes does that): the caller
  // cuts and records it like any torn tail.
  if (end < size && end === from.start && walk.lines === from.line - 1) return walk;
  // The chain that is there is sound, but it is not the one verified before; the break is put
  // after its end, as no line of it can be blamed.
  const reason =
    walk.lines < from.line
      ? `entries ${walk.lines + 1}–${from.line}, verified at an earlier start, are gone (the log was cut short or replaced)`
      : `entry ${from.line}, verified at an earlier start, has changed (the log was rewritten or replaced)`;
  return { ...walk, broken: { line: walk.lines + 1, reason, regionSha256: createHash('sha256').digest('hex') } };
}
