// Checks every link of the audit log's hash chain, from the first line (`jit-server audit verify`).
import { promises as fs } from 'node:fs';
import { walkChain, type AcceptedBreak, type ChainWalk } from './chain.js';

export type VerifyResult =
  | { ok: true; entries: number; accepted?: AcceptedBreak[] }
  | { ok: false; entries: number; line: number; reason: string; accepted?: AcceptedBreak[] };

export async function verifyAuditLog(file: string): Promise<VerifyResult> {
  const size = (await fs.stat(file).catch(() => undefined))?.size ?? 0;
  return verifyResult(await walkChain(file, { end: size }));
}

/** What a walk of the whole chain found, as `jit-server audit verify` reports it. */
export function verifyResult(walk: ChainWalk): VerifyResult {
  // Listed only when there are any, so a log that never broke reads as before.
  const accepted = walk.accepted.length ? { accepted: walk.accepted } : {};
  if (walk.broken) return { ok: false, entries: walk.entries, line: walk.broken.line, reason: walk.broken.reason, ...accepted };
  return { ok: true, entries: walk.entries, ...accepted };
}
