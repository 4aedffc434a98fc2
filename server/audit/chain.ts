// Walks the audit log's hash chain line by line, from the first line or from a point verified
// before. Shared by `jit-server audit verify` (the whole log) and the check at start (from the
// checkpoint on).
//
// A break an operator accepted (`--accept-broken-audit-log`) is followed by an
// `audit.broken.accepted` entry that starts a new segment: its prevHash is the last good hash
// before the break, and it pins the text of the broken lines with a sha256, so the
// break stays visible and any later change to those lines is a new, unaccepted break.
import { createHash, type Hash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { GENESIS_HASH, hashEntry, parseEntry, type AuditEntry } from './entry.js';

export const ACCEPTED_ACTION = 'audit.broken.accepted';

/** Where the chain stands after `line`: that line spans bytes [start, offset) and has hash `hash`. */
export interface ChainPoint {
  line: number;
  start: number;
  offset: number;
  hash: string;
}

export const CHAIN_START: ChainPoint = { line: 0, start: 0, offset: 0, hash: GENESIS_HASH };

export interface ChainBreak {
  line: number;
  reason: string;
}

export interface AcceptedBreak extends ChainBreak {
  /** The line of the audit.broken.accepted entry. */
  acceptedAt: number;
}

export interface ChainWalk {
  /** Lines that verified as chain entries. */
  entries: number;
  /** The last line that verified (for a broken log: before the break). */
  end: ChainPoint;
  /** Every line read, broken ones included. */
  lines: number;
  accepted: AcceptedBreak[];
  /** The first break no acceptance covers; the broken region runs from its line to the last line. */
  broken?: ChainBreak & { regionSha256: string };
}

export interface AcceptanceDetail {
  line: number;
  reason: string;
  /** How many lines from `line` on are broken, all pinned by regionSha256 (0: entries were lost). */
  brokenLines: number;
  regionSha256: string;
}

/** One line of a chain: its text and where it lies (bytes in a file; any increasing positions elsewhere). */
export interface Line {
  text: string;
  start: number;
  offset: number;
  complete: boolean;
}

const CHUNK = 1024 * 1024;

/**
 * Lines of [from, end) with their byte positions, a chunk's worth at a time (one await per
 * line would double the walk's time); a last line without a newline comes out incomplete.
 */
async function* linesOf(file: string, from: number, end: number): AsyncGenerator<Line[]> {
  if (from >= end) return;
  const handle = await fs.open(file, 'r');
  try {
    let carry = Buffer.alloc(0);
    let carryStart = from;
    for (let position = from; position < end; ) {
      const chunk = Buffer.alloc(Math.min(CHUNK, end - position));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
      if (!bytesRead) break;
      position += bytesRead;
      const buf = carry.length ? Buffer.concat([carry, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
      let lineStart = 0;
      const lines: Line[] = [];
      for (let nl = buf.indexOf(0x0a); nl !== -1; nl = buf.indexOf(0x0a, lineStart)) {
        lines.push({ text: buf.toString('utf8', lineStart, nl), start: carryStart + lineStart, offset: carryStart + nl + 1, complete: true });
        lineStart = nl + 1;
      }
      yield lines;
      carry = buf.subarray(lineStart);
      carryStart += lineStart;
    }
    if (carry.length) yield [{ text: carry.toString('utf8'), start: carryStart, offset: carryStart + carry.length, complete: false }];
  } finally {
    await handle.close();
  }
}


/** The entry when `text` at line `n` is the next link after `prevHash`, else why it is not. */
function link(n: number, text: string, prevHash: string): AuditEntry | string {
  const entry = parseEntry(text);
  if (!entry) return 'not valid JSON (torn or edited line)';
  if (entry.seq !== n) return `sequence number ${entry.seq}, expected ${n} (a line was removed or inserted)`;
  if (entry.prevHash !== prevHash) return 'prevHash does not match the previous line (a line was removed, inserted or edited)';
  const { hash, ...body } = entry;
  if (hashEntry(body) !== hash) return 'hash does not match the content (the line was edited)';
  return entry;
}

/** The entry when `text` accepts the break at `brokenLine` whose region so far hashes to `region`. */
function acceptance(n: number, text: string, brokenLine: number, lastGood: string, region: Hash): AuditEntry | undefined {
  if (!text.includes(ACCEPTED_ACTION)) return undefined;
  const entry = link(n, text, lastGood);
  if (typeof entry === 'string' || entry.action !== ACCEPTED_ACTION) return undefined;
  const detail = entry.detail as unknown as AcceptanceDetail | undefined;
  return detail?.line === brokenLine && detail.regionSha256 === region.copy().digest('hex') ? entry : undefined;
}

export function walkChain(file: string, options: { from?: ChainPoint; end: number }): Promise<ChainWalk> {
  const from = options.from ?? CHAIN_START;
  return walkLines(linesOf(file, from.offset, options.end), from);
}

/** Walks lines that follow `from`, wherever they are kept (the JSONL file, a database table). */
export async function walkLines(lines: AsyncIterable<Line[]>, from: ChainPoint = CHAIN_START): Promise<ChainWalk> {
  let point = from;
  let entries = point.line;
  let n = point.line;
  const accepted: AcceptedBreak[] = [];
  let broken: (ChainBreak & { region: Hash }) | undefined;
  for await (const chunk of lines) for (const line of chunk) {
    n++;
    if (broken) {
      const entry = line.complete ? acceptance(n, line.text, broken.line, point.hash, broken.region) : undefined;
      if (entry) {
        accepted.push({ line: broken.line, reason: broken.reason, acceptedAt: n });
        broken = undefined;
        entries++;
        point = { line: n, start: line.start, offset: line.offset, hash: entry.hash };
      } else {
        broken.region.update(line.text).update(line.complete ? '\n' : '');
      }
      continue;
    }
    const entry = line.complete ? link(n, line.text, point.hash) : 'the last line is incomplete (torn write)';
    if (typeof entry === 'string') {
      broken = { line: n, reason: entry, region: createHash('sha256').update(line.text).update(line.complete ? '\n' : '') };
      continue;
    }
    // An acceptance right after the last good line (nothing to pin: entries were lost at the
    // end) is itself a valid link; it is listed all the same.
    if (entry.action === ACCEPTED_ACTION) {
      const detail = entry.detail as unknown as AcceptanceDetail;
      accepted.push({ line: detail.line, reason: detail.reason, acceptedAt: n });
    }
    entries++;
    point = { line: n, start: line.start, offset: line.offset, hash: entry.hash };
  }
  return {
    entries,
    end: point,
    lines: n,
    accepted,
    broken: broken && { line: broken.line, reason: broken.reason, regionSha256: broken.region.digest('hex') },
  };
}
