// The webhook outbox in its own SQLite file next to the ledger: deliveries are queued after
// the ledger commits (never inside its transaction), so the two need no shared transaction.
import Database from 'better-sqlite3';
import { DELIVERY_RETENTION_MS, type WebhookDelivery, type WebhookOutbox, type WebhookRef } from './webhook-outbox.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS deliveries (
  id INTEGER PRIMARY KEY AUTOINCREMENT, webhook_key TEXT NOT NULL, status TEXT NOT NULL,
  update_time INTEGER NOT NULL, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS deliveries_queue ON deliveries(status, webhook_key, id);
`;

const keyOf = (w: WebhookRef) => (w.project === undefined ? `workspace/${w.id}` : `project/${w.project}/${w.id}`);
const parse = (rows: unknown[]) => (rows as { id: number; doc: string }[]).map((r) => ({ ...JSON.parse(r.doc), id: String(r.id) }) as WebhookDelivery);

export function openSqliteWebhookOutbox(file: string): WebhookOutbox {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // FULL: a queued delivery must survive power loss, like the change it reports.
  db.pragma('synchronous = FULL');
  db.exec(SCHEMA);
  const stmts = {
    insert: db.prepare('INSERT INTO deliveries (webhook_key, status, update_time, doc) VALUES (?, ?, ?, ?)'),
    prune: db.prepare("DELETE FROM deliveries WHERE status != 'pending' AND update_time < ?"),
    heads: db.prepare(
      "SELECT id, doc FROM deliveries WHERE id IN (SELECT MIN(id) FROM deliveries WHERE status = 'pending' GROUP BY webhook_key) ORDER BY id",
    ),
    update: db.prepare('UPDATE deliveries SET status = ?, update_time = ?, doc = ? WHERE id = ?'),
    get: db.prepare('SELECT id, doc FROM deliveries WHERE id = ?'),
    list: db.prepare('SELECT id, doc FROM deliveries WHERE (@status IS NULL OR status = @status) ORDER BY id DESC LIMIT @limit'),
  };
  const addAll = db.transaction((items: Parameters<WebhookOutbox['add']>[0], now: number) => {
    for (const { webhook, message } of items) {
      const doc: Omit<WebhookDelivery, 'id'> = { webhook, message, status: 'pending', attempts: 0, nextAttemptTime: now, createTime: now, updateTime: now };
      stmts.insert.run(keyOf(webhook), doc.status, now, JSON.stringify(doc));
    }
    stmts.prune.run(now - DELIVERY_RETENTION_MS);
  });
  return {
    async add(items, now) {
      addAll(items, now);
    },
    async heads() {
      return parse(stmts.heads.all());
    },
    async update(d) {
      const { id, ...doc } = d;
      stmts.update.run(d.status, d.updateTime, JSON.stringify(doc), Number(id));
    },
    async get(id) {
      return parse(stmts.get.all(Number(id)))[0];
    },
    async list(filter) {
      return parse(stmts.list.all({ status: filter.status ?? null, limit: filter.limit }));
    },
    async close() {
      db.close();
    },
  };
}
