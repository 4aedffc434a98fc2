// The append-only, hash-chained audit log: <data-dir>/audit.jsonl, one JSON object a line.
// Each line's hash covers the previous line's hash and the line's own content, so editing,
// removing or reordering any line breaks the chain from there on (see chain.ts); the chain is
// checked at every start (start-check.ts).
import { promises as fs } from 'node:fs';
import { userInfo } from 'node:os';
import { ACCEPTED_ACTION, type AcceptanceDetail, type ChainPoint } from './chain.js';
import { chainEntry, parseEntry, type AuditEntry, type AuditEvent } from './entry.js';
import { BrokenAuditLogError, checkChainAtStart, writeCheckpoint } from './start-check.js';
import { serial } from '../concurrency/serial.js';
import type { LedgerTx } from '../store/ledger.js';

export { GENESIS_HASH, hashEntry, type AuditEntry, type AuditEvent } from './entry.js';

export interface AuditLog {
  /**
   * Appends and resolves once the entry is durable. Called `within` a ledger transaction by a
   * change; a log that joinsLedgerTransactions commits the entry with it, this one fsyncs it first.
   */
  append(event: AuditEvent, time: number, within?: LedgerTx): Promise<AuditEntry>;
  /** Whether an entry appended within a ledger transaction is rolled back with it (else it stands, and a rollback must be recorded). */
  readonly joinsLedgerTransactions: boolean;
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


interface TornTail {
  /** Where the last complete line ends. */
  keep: number;
  bytes: Buffer;
}

/** A last line without its newline: what a crash during an append leaves (its caller never got an answer). */
async function findTornTail(file: string): Promise<TornTail | undefined> {
  const stat = await fs.stat(file).catch(() => undefined);
  if (!stat || stat.size === 0) return undefined;
  const handle = await fs.open(file, 'r');
  try {
    const tailSize = Math.min(stat.size, 1024 * 1024);
    const tail = Buffer.alloc(tailSize);
    await handle.read(tail, 0, tailSize, stat.size - tailSize);
    if (tail[tailSize - 1] === 0x0a) return undefined;
    const nl = tail.lastIndexOf(0x0a);
    return { keep: nl === -1 ? stat.size - tailSize : stat.size - tailSize + nl + 1, bytes: tail.subarray(nl + 1) };
  } finally {
    await handle.close();
  }
}

/**
 * The torn line is cut off, kept beside the log for inspection, and the cut is itself recorded
 * in the log, so nothing is silently accepted or silently lost.
 */
async function cutTornTail(file: string, torn: TornTail): Promise<string> {
  const keptAs = `${file}.torn-${Date.now()}`;
  await fs.writeFile(keptAs, torn.bytes);
  const handle = await fs.open(file, 'r+');
  try {
    await handle.truncate(torn.keep);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return keptAs;
}

export interface AuditLogOptions {
  /** The operator's --accept-broken-audit-log: record the break and go on in a new segment. */
  acceptBroken?: boolean;
}

export async function openAuditLog(
  file: string,
  now: () => number,
  log: (line: string) => void = () => undefined,
  options: AuditLogOptions = {},
): Promise<AuditLog> {
  const torn = await findTornTail(file);
  const size = (await fs.stat(file).catch(() => undefined))?.size ?? 0;
  const end = torn?.keep ?? size;
  const walk = await checkChainAtStart(file, end, size);
  if (walk.broken && !options.acceptBroken) throw new BrokenAuditLogError(file, walk.broken);
  if (!walk.broken && options.acceptBroken) log('audit log: --accept-broken-audit-log given, but the chain is not broken; nothing to accept');
  const keptAs = torn && (await cutTornTail(file, torn));
  // After an accepted break the next entry links to the last good line, past the broken ones.
  let point: ChainPoint = walk.broken ? { ...walk.end, line: walk.lines, offset: end } : walk.end;
  const handle = await fs.open(file, 'a');
  // Appends are serialized so the chain has one order; each waits for fsync before resolving.
  const appends = serial();

  const audit: AuditLog = {
    joinsLedgerTransactions: false,
    append(event, time) {
      const write = async () => {
        const entry = chainEntry(event, time, { seq: point.line, hash: point.hash });
        const text = JSON.stringify(entry) + '\n';
        await handle.write(text);
        await handle.sync();
        point = { line: entry.seq, start: point.offset, offset: point.offset + Buffer.byteLength(text), hash: entry.hash };
        return entry;
      };
      return appends.run(write);
    },
    async query(filter) {
      const out: AuditEntry[] = [];
      for await (const line of linesBackwards(file)) {
        const entry = parseEntry(line);
        if (!entry) continue;
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
        const entry = parseEntry(line);
        if (!entry) continue;
        if (entry.seq <= mark) break;
        if (entry.txn) seqs.unshift(entry.seq);
      }
      return seqs;
    },
    async close() {
      await appends.idle();
      await writeCheckpoint(file, point);
      await handle.close();
    },
  };
  if (walk.broken) {
    const { line, reason, regionSha256 } = walk.broken;
    const detail: AcceptanceDetail = { line, reason, brokenLines: walk.lines - line + 1, regionSha256 };
    const entry = await audit.append({ actor: 'operator', action: ACCEPTED_ACTION, outcome: 'error', detail: { ...detail, osUser: userInfo().username } }, now());
    log(`audit log: ${file} is broken at line ${line}: ${reason}. Accepted as asked (--accept-broken-audit-log); recorded at line ${entry.seq}, where a new segment of the chain begins`);
  }
  if (torn) {
    log(`audit log: removed a torn last line of ${torn.bytes.length} bytes (kept in ${keptAs})`);
    await audit.append({ actor: 'system', action: 'audit.repaired', outcome: 'error', detail: { tornBytes: torn.bytes.length, keptAs } }, now());
  }
  // The lines just verified may not have reached the disk if the last run was killed; the
  // checkpoint must never point past what is durable.
  await handle.sync();
  await writeCheckpoint(file, point);
  return audit;
}
