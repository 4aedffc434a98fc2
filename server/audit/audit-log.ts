// The append-only, hash-chained audit log: <data-dir>/audit.jsonl, one JSON object a line.
// Each line's hash covers the previous line's hash and the line's own content, so editing,
// removing or reordering any line breaks the chain from there on (see verify.ts).
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEvent {
  actor: string;
  action: string;
  project?: string;
  requestId?: string;
  grantId?: string;
  bindingId?: string;
  database?: string;
  statement?: string;
  rowCount?: number;
  durationMs?: number;
  outcome?: 'ok' | 'error' | 'denied';
  clientAddress?: string;
  userAgent?: string;
  detail?: Record<string, unknown>;
  /** Written inside a ledger transaction: it stands only if that transaction committed. */
  txn?: boolean;
}

export interface AuditEntry extends AuditEvent {
  seq: number;
  time: string;
  prevHash: string;
  hash: string;
}

/** The hash of an entry: sha256 over the previous hash and the entry's JSON without `hash`. */
export function hashEntry(entry: Omit<AuditEntry, 'hash'>): string {
  return createHash('sha256').update(entry.prevHash).update('\n').update(JSON.stringify(entry)).digest('hex');
}

export interface AuditLog {
  /** Appends and fsyncs; resolves only once the entry is durable. */
  append(event: AuditEvent, time: number): Promise<AuditEntry>;
  /** Newest first, filtered. */
  query(filter: AuditFilter): Promise<AuditEntry[]>;
  /** Seqs of entries written inside a ledger transaction after the given seq, oldest first. */
  transactionalAfter(seq: number): Promise<number[]>;
  close(): Promise<void>;
}

export interface AuditFilter {
  grantId?: string;
  user?: string;
  action?: string;
  since?: number;
  limit: number;
}

const TAIL_CHUNK = 64 * 1024;

/** Reads lines from the end of a file backwards, a chunk at a time. */
async function* linesBackwards(file: string): AsyncGenerator<string> {
  const handle = await fs.open(file, 'r').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (!handle) return;
  try {
    let position = (await handle.stat()).size;
    let carry = Buffer.alloc(0);
    while (position > 0) {
      const size = Math.min(TAIL_CHUNK, position);
      position -= size;
      const chunk = Buffer.alloc(size);
      await handle.read(chunk, 0, size, position);
      let buf = Buffer.concat([chunk, carry]);
      let nl = buf.lastIndexOf(0x0a);
      while (nl !== -1) {
        const line = buf.subarray(nl + 1).toString('utf8');
        if (line) yield line;
        buf = buf.subarray(0, nl);
        nl = buf.lastIndexOf(0x0a);
      }
      carry = buf;
    }
    if (carry.length) yield carry.toString('utf8');
  } finally {
    await handle.close();
  }
}

/** The last complete entry, or undefined for an empty log. */
async function lastEntry(file: string): Promise<AuditEntry | undefined> {
  for await (const line of linesBackwards(file)) return JSON.parse(line) as AuditEntry;
  return undefined;
}

/**
 * A crash during an append can leave a torn last line (its caller never got an answer). It is
 * cut off, kept beside the log for inspection, and the cut is itself recorded in the log, so
 * nothing is silently accepted or silently lost.
 */
async function cutTornTail(file: string): Promise<{ bytes: number; keptAs: string } | undefined> {
  const stat = await fs.stat(file).catch(() => undefined);
  if (!stat || stat.size === 0) return undefined;
  const handle = await fs.open(file, 'r+');
  try {
    const tailSize = Math.min(stat.size, 1024 * 1024);
    const tail = Buffer.alloc(tailSize);
    await handle.read(tail, 0, tailSize, stat.size - tailSize);
    if (tail[tailSize - 1] === 0x0a) return undefined;
    const nl = tail.lastIndexOf(0x0a);
    const keep = nl === -1 ? stat.size - tailSize : stat.size - tailSize + nl + 1;
    const keptAs = `${file}.torn-${Date.now()}`;
    await fs.writeFile(keptAs, tail.subarray(nl + 1));
    await handle.truncate(keep);
    await handle.sync();
    return { bytes: stat.size - keep, keptAs };
  } finally {
    await handle.close();
  }
}

export async function openAuditLog(file: string, now: () => number, log: (line: string) => void = () => undefined): Promise<AuditLog> {
  const torn = await cutTornTail(file);
  const last = await lastEntry(file);
  let seq = last?.seq ?? 0;
  let prevHash = last?.hash ?? GENESIS_HASH;
  const handle = await fs.open(file, 'a');
  // Appends are serialized so the chain has one order; each waits for fsync before resolving.
  let queue: Promise<unknown> = Promise.resolve();

  const audit: AuditLog = {
    append(event, time) {
      const write = async () => {
        const body = { seq: seq + 1, time: new Date(time).toISOString(), ...event, prevHash };
        const entry: AuditEntry = { ...body, hash: hashEntry(body) };
        await handle.write(JSON.stringify(entry) + '\n');
        await handle.sync();
        seq = entry.seq;
        prevHash = entry.hash;
        return entry;
      };
      const result = queue.then(write);
      queue = result.catch(() => undefined);
      return result;
    },
    async query(filter) {
      const out: AuditEntry[] = [];
      for await (const line of linesBackwards(file)) {
        const entry = JSON.parse(line) as AuditEntry;
        if (filter.since !== undefined && Date.parse(entry.time) < filter.since) break;
        if (filter.grantId !== undefined && entry.grantId !== filter.grantId) continue;
        if (filter.user !== undefined && entry.actor !== filter.user) continue;
        if (filter.action !== undefined && entry.action !== filter.action) continue;
        out.push(entry);
        if (out.length >= filter.limit) break;
      }
      return out;
    },
    async transactionalAfter(mark) {
      const seqs: number[] = [];
      for await (const line of linesBackwards(file)) {
        const entry = JSON.parse(line) as AuditEntry;
        if (entry.seq <= mark) break;
        if (entry.txn) seqs.unshift(entry.seq);
      }
      return seqs;
    },
    async close() {
      await queue;
      await handle.close();
    },
  };
  if (torn) {
    log(`audit log: removed a torn last line of ${torn.bytes} bytes (kept in ${torn.keptAs})`);
    await audit.append({ actor: 'system', action: 'audit.repaired', outcome: 'error', detail: { tornBytes: torn.bytes, keptAs: torn.keptAs } }, now());
  }
  return audit;
}
