// The audit chain in PostgreSQL, one chain for every replica. Each append locks the chain-head
// row, so appends from all replicas link one after another with no gap or fork; an entry a
// change appends is written in the change's own transaction and commits or rolls back with it.
import type { AuditLog } from '../../audit/audit-log.js';
import { walkLines, type Line } from '../../audit/chain.js';
import { chainEntry, type AuditEntry, type AuditEvent } from '../../audit/entry.js';
import { verifyResult, type VerifyResult } from '../../audit/verify.js';
import { clientOf } from './ledger.js';
import { inTransaction, numbered, type Client, type Pool } from './pool.js';

async function appendOn(client: Client, event: AuditEvent, time: number): Promise<AuditEntry> {
  const { rows } = await client.query<{ seq: number; hash: string }>('SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE');
  const entry = chainEntry(event, time, rows[0]);
  await client.query('INSERT INTO audit_entries (seq, time, actor, action, grant_id, txn, line) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
    entry.seq, time, entry.actor, entry.action, entry.grantId ?? null, entry.txn === true, JSON.stringify(entry),
  ]);
  await client.query('UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1', [entry.seq, entry.hash]);
  return entry;
}

/** The audit log on an open, migrated pool; the caller closes the pool. */
export function openPgAuditLog(pool: Pool): AuditLog {
  return {
    joinsLedgerTransactions: true,
    append(event, time, within) {
      if (!within) return inTransaction(pool, (client) => appendOn(client, event, time));
      const client = clientOf(within);
      if (!client) throw new Error('the PostgreSQL audit log can only join a transaction of the PostgreSQL ledger');
      return appendOn(client, event, time);
    },
    async query(filter) {
      const conditions: [string, unknown][] = [
        ['grant_id = ?', filter.grantId],
        ['actor = ?', filter.user],
        ['action = ?', filter.action],
        ['time >= ?', filter.since],
      ];
      const present = conditions.filter(([, v]) => v !== undefined);
      const where = present.length ? `WHERE ${present.map(([c]) => c).join(' AND ')}` : '';
      const { rows } = await pool.query<{ line: string }>(numbered(`SELECT line FROM audit_entries ${where} ORDER BY seq DESC LIMIT ?`), [
        ...present.map(([, v]) => v),
        filter.limit,
      ]);
      return rows.map((r) => JSON.parse(r.line) as AuditEntry);
    },
    async transactionalAfter(mark) {
      const { rows } = await pool.query<{ seq: number }>('SELECT seq FROM audit_entries WHERE seq > $1 AND txn ORDER BY seq', [mark]);
      return rows.map((r) => r.seq);
    },
    // The pool is the store's, closed by its owner.
    async close() {},
  };
}

const PAGE = 10_000;

/** The entries in seq order, a page at a time, as lines of a chain (position = row number). */
async function* rowsAsLines(pool: Pool): AsyncGenerator<Line[]> {
  let after = 0;
  let position = 0;
  for (;;) {
    const { rows } = await pool.query<{ seq: number; line: string }>('SELECT seq, line FROM audit_entries WHERE seq > $1 ORDER BY seq LIMIT $2', [after, PAGE]);
    if (!rows.length) return;
    yield rows.map((r) => ({ text: r.line, start: position, offset: ++position, complete: true }));
    after = rows[rows.length - 1].seq;
  }
}

/** `jit-server audit verify --store URL`: every link of the chain, checked as for the JSONL log. */
export async function verifyPgAuditChain(pool: Pool): Promise<VerifyResult> {
  return verifyResult(await walkLines(rowsAsLines(pool)));
}
