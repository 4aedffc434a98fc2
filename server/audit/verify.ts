// Walks the audit log from the first line and checks every link of the hash chain.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { GENESIS_HASH, hashEntry, type AuditEntry } from './audit-log.js';

export type VerifyResult =
  | { ok: true; entries: number }
  | { ok: false; entries: number; line: number; reason: string };

export async function verifyAuditLog(file: string): Promise<VerifyResult> {
  const input = createReadStream(file);
  let endsWithNewline = true;
  input.on('data', (chunk) => {
    if (chunk.length) endsWithNewline = (chunk as Buffer)[chunk.length - 1] === 0x0a;
  });
  const lines = createInterface({ input, crlfDelay: Infinity });
  let prevHash = GENESIS_HASH;
  let n = 0;
  let pending: { line: number; text: string } | undefined;
  const check = (line: number, text: string): string | undefined => {
    let entry: AuditEntry;
    try {
      entry = JSON.parse(text) as AuditEntry;
    } catch {
      return 'not valid JSON (torn or edited line)';
    }
    if (entry.seq !== line) return `sequence number ${entry.seq}, expected ${line} (a line was removed or inserted)`;
    if (entry.prevHash !== prevHash) return 'prevHash does not match the previous line (a line was removed, inserted or edited)';
    const { hash, ...body } = entry;
    if (hashEntry(body) !== hash) return 'hash does not match the content (the line was edited)';
    prevHash = hash;
    return undefined;
  };
  try {
    for await (const text of lines) {
      if (pending) {
        const reason = check(pending.line, pending.text);
        if (reason) return { ok: false, entries: n, line: pending.line, reason };
        n++;
      }
      pending = { line: n + 1, text };
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { ok: true, entries: 0 };
    throw err;
  }
  if (pending) {
    if (!endsWithNewline) return { ok: false, entries: n, line: pending.line, reason: 'the last line is incomplete (torn write)' };
    const reason = check(pending.line, pending.text);
    if (reason) return { ok: false, entries: n, line: pending.line, reason };
    n++;
  }
  return { ok: true, entries: n };
}
