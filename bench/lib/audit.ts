// The audit side of every measured run: each successful run must have its own `grant.run`
// line with outcome "ok" (each export its `grant.export.finished`), and the chain must still
// verify once the service has stopped.
import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { CLI } from './service.js';

export interface AuditCheck {
  /** Successful runs the clients saw. */
  runs: number;
  /** `grant.run` lines with outcome "ok" for the same grants. */
  auditLines: number;
  chainVerified: boolean;
  ok: boolean;
}

async function countLines(file: string, action: string, grantIds: Set<string>): Promise<number> {
  let n = 0;
  const quoted = JSON.stringify(action);
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    // Most lines are something else; skip them before paying for a parse.
    if (!line.includes(quoted)) continue;
    const entry = JSON.parse(line) as { action: string; grantId?: string; outcome?: string };
    if (entry.action === action && entry.outcome === 'ok' && grantIds.has(entry.grantId!)) n++;
  }
  return n;
}

async function chainVerifies(dataDir: string): Promise<boolean> {
  try {
    await promisify(execFile)(process.execPath, [CLI, 'audit', 'verify', '--data-dir', dataDir], { maxBuffer: 1 << 20 });
    return true;
  } catch {
    return false;
  }
}

/**
 * Call after the service stopped: compares the successful runs (or exports, with their
 * `action`) the clients saw with the audit log's lines for the same grants.
 */
export async function checkAudit(dataDir: string, grantIds: Iterable<string>, runs: number, action = 'grant.run'): Promise<AuditCheck> {
  const auditLines = await countLines(join(dataDir, 'audit.jsonl'), action, new Set(grantIds));
  const chainVerified = await chainVerifies(dataDir);
  return { runs, auditLines, chainVerified, ok: chainVerified && auditLines === runs };
}
