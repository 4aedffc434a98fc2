// The default ledger: one better-sqlite3 file in WAL mode. Records are JSON documents with
// the columns the service filters and schedules on pulled out and indexed, so lookups stay
// flat as history grows.
import Database from 'better-sqlite3';
import type { ApprovalRequest, Grant, RoleBinding } from '../domain/types.js';
import type { DeliveredEvent } from '../../contract/events.js';
import { serial } from '../concurrency/serial.js';
import { EVENT_RETENTION, REMINDER_SHARE, type BindingFilter, type DueWork, type GrantFilter, type Ledger, type LedgerReads, type LedgerTx, type RequestFilter } from './ledger.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS requests (
  id TEXT PRIMARY KEY, project TEXT NOT NULL, creator TEXT NOT NULL, status TEXT NOT NULL,
  expire_time INTEGER NOT NULL, seq INTEGER NOT NULL, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS requests_creator ON requests(creator, seq);
CREATE INDEX IF NOT EXISTS requests_project ON requests(project, seq);
CREATE INDEX IF NOT EXISTS requests_open ON requests(status, expire_time);
CREATE TABLE IF NOT EXISTS grants (
  id TEXT PRIMARY KEY, project TEXT NOT NULL, requester TEXT NOT NULL, state TEXT NOT NULL,
  expire_time INTEGER, remind_time INTEGER, seq INTEGER NOT NULL, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS grants_requester ON grants(requester, seq);
CREATE INDEX IF NOT EXISTS grants_project ON grants(project, seq);
CREATE INDEX IF NOT EXISTS grants_active ON grants(state, expire_time);
CREATE TABLE IF NOT EXISTS bindings (
  id TEXT PRIMARY KEY, project TEXT NOT NULL, user TEXT NOT NULL, state TEXT NOT NULL,
  expire_time INTEGER NOT NULL, remind_time INTEGER, seq INTEGER NOT NULL, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS bindings_user ON bindings(user, project);
CREATE INDEX IF NOT EXISTS bindings_active ON bindings(state, expire_time);
CREATE TABLE IF NOT EXISTS sequences (kind TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY AUTOINCREMENT, user TEXT NOT NULL, time INTEGER NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS events_user ON events(user, id);
CREATE TABLE IF NOT EXISTS audit_mark (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL);
`;

const DEFAULT_LIMIT = 1000;

/** When each row's reminder is due (see REMINDER_SHARE); a grant's time runs from activation, a binding's from creation. */
const reminderAt = (start: string) => `expire_time - MIN(@before, (expire_time - ${start}) / ${REMINDER_SHARE})`;
const REMINDER_AT = {
  grants: reminderAt("json_extract(doc, '$.activateTime')"),
  bindings: reminderAt("json_extract(doc, '$.createTime')"),
};

function where(conditions: [string, unknown][]): { sql: string; params: unknown[] } {
  const present = conditions.filter(([, v]) => v !== undefined);
  return {
    sql: present.length ? `WHERE ${present.map(([c]) => c).join(' AND ')}` : '',
    params: present.map(([, v]) => v),
  };
}

const docs = <T>(rows: unknown[]): T[] => (rows as { doc: string }[]).map((r) => JSON.parse(r.doc) as T);

function readsOf(db: Database.Database): LedgerReads {
  const one = <T>(sql: string) => {
    const stmt = db.prepare(sql);
    return async (id: string) => {
      const row = stmt.get(id) as { doc: string } | undefined;
      return row && (JSON.parse(row.doc) as T);
    };
  };
  return {
    getRequest: one<ApprovalRequest>('SELECT doc FROM requests WHERE id = ?'),
    getGrant: one<Grant>('SELECT doc FROM grants WHERE id = ?'),
    getBinding: one<RoleBinding>('SELECT doc FROM bindings WHERE id = ?'),
    async listRequests(f: RequestFilter) {
      const w = where([['creator = ?', f.creator], ['project = ?', f.project], ['status = ?', f.status]]);
      return docs<ApprovalRequest>(
        db.prepare(`SELECT doc FROM requests ${w.sql} ORDER BY seq DESC LIMIT ?`).all(...w.params, f.limit ?? DEFAULT_LIMIT),
      );
    },
    async listGrants(f: GrantFilter) {
      const w = where([['requester = ?', f.requester], ['project = ?', f.project], ['state = ?', f.state]]);
      return docs<Grant>(
        db.prepare(`SELECT doc FROM grants ${w.sql} ORDER BY seq DESC LIMIT ?`).all(...w.params, f.limit ?? DEFAULT_LIMIT),
      );
    },
    async listBindings(f: BindingFilter) {
      const w = where([
        ['user = ?', f.user],
        ['project = ?', f.project],
        ['state = ?', f.state],
        ["state = 'ACTIVE' AND expire_time > ?", f.activeAt],
      ]);
      return docs<RoleBinding>(db.prepare(`SELECT doc FROM bindings ${w.sql} ORDER BY seq DESC`).all(...w.params));
    },
    async dueWork(now: number, reminderBeforeMs: number, limit: number): Promise<DueWork> {
      const expired = (table: string, state: string) =>
        docs<never>(db.prepare(`SELECT doc FROM ${table} WHERE ${state} AND expire_time <= ? LIMIT ?`).all(now, limit));
      const toRemind = (table: keyof typeof REMINDER_AT) =>
        docs<never>(
          db
            .prepare(
              `SELECT doc FROM ${table} WHERE state = 'ACTIVE' AND remind_time IS NULL AND expire_time <= @now + @before AND expire_time > @now
                 AND ${REMINDER_AT[table]} <= @now LIMIT @limit`,
            )
            .all({ now, before: reminderBeforeMs, limit }),
        );
      return {
        requestsToExpire: expired('requests', "status = 'OPEN'"),
        grantsToExpire: expired('grants', "state = 'ACTIVE'"),
        bindingsToExpire: expired('bindings', "state = 'ACTIVE'"),
        grantsToRemind: toRemind('grants'),
        bindingsToRemind: toRemind('bindings'),
      };
    },
    async auditMark() {
      const row = db.prepare('SELECT seq FROM audit_mark WHERE id = 1').get() as { seq: number } | undefined;
      return row?.seq ?? 0;
    },
    async eventsSince(user: string, afterId: string, limit: number) {
      const rows = db.prepare('SELECT id, type, data FROM events WHERE user = ? AND id > ? ORDER BY id LIMIT ?').all(user, Number(afterId) || 0, limit) as { id: number; type: string; data: string }[];
      return rows.map((r) => ({ id: String(r.id), type: r.type, data: JSON.parse(r.data) }) as DeliveredEvent);
    },
    async lastEventId() {
      const row = db.prepare('SELECT max(id) AS id FROM events').get() as { id: number | null };
      return String(row.id ?? 0);
    },
    async nextDeadline(reminderBeforeMs: number) {
      const row = db
        .prepare(
          `SELECT MIN(t) AS t FROM (
             SELECT MIN(expire_time) AS t FROM requests WHERE status = 'OPEN'
             UNION ALL SELECT MIN(expire_time) FROM grants WHERE state = 'ACTIVE'
             UNION ALL SELECT MIN(expire_time) FROM bindings WHERE state = 'ACTIVE'
             UNION ALL SELECT MIN(${REMINDER_AT.grants}) FROM grants WHERE state = 'ACTIVE' AND remind_time IS NULL
             UNION ALL SELECT MIN(${REMINDER_AT.bindings}) FROM bindings WHERE state = 'ACTIVE' AND remind_time IS NULL)`,
        )
        .get({ before: reminderBeforeMs }) as { t: number | null };
      return row.t;
    },
  };
}

function open(file: string, readonly: boolean): Database.Database {
  const db = new Database(file, { readonly });
  db.pragma('busy_timeout = 5000');
  return db;
}

export function openSqliteLedger(file: string): Ledger {
  const db = open(file, false);
  db.pragma('journal_mode = WAL');
  // FULL: an acknowledged decision must survive power loss, not only a process crash.
  db.pragma('synchronous = FULL');
  db.exec(SCHEMA);
  // Reads outside a transaction use their own connection: WAL gives them the last committed
  // state, never the half-done work of a transaction that is awaiting its audit append.
  const readDb = open(file, true);

  const stmts = {
    putRequest: db.prepare(
      `INSERT INTO requests (id, project, creator, status, expire_time, seq, doc) VALUES (@id, @project, @creator, @status, @expire_time, @seq, @doc)
       ON CONFLICT(id) DO UPDATE SET status = excluded.status, expire_time = excluded.expire_time, doc = excluded.doc`,
    ),
    putGrant: db.prepare(
      `INSERT INTO grants (id, project, requester, state, expire_time, remind_time, seq, doc) VALUES (@id, @project, @requester, @state, @expire_time, @remind_time, @seq, @doc)
       ON CONFLICT(id) DO UPDATE SET state = excluded.state, expire_time = excluded.expire_time, remind_time = excluded.remind_time, doc = excluded.doc`,
    ),
    putBinding: db.prepare(
      `INSERT INTO bindings (id, project, user, state, expire_time, remind_time, seq, doc) VALUES (@id, @project, @user, @state, @expire_time, @remind_time, @seq, @doc)
       ON CONFLICT(id) DO UPDATE SET state = excluded.state, expire_time = excluded.expire_time, remind_time = excluded.remind_time, doc = excluded.doc`,
    ),
    recordEvent: db.prepare('INSERT INTO events (user, time, type, data) VALUES (?, ?, ?, ?) RETURNING id'),
    // Bounded per user, pruned as each event is written: older than the retention, or beyond
    // the newest perUser events.
    pruneEvents: db.prepare(
      `DELETE FROM events WHERE user = @user AND (time < @before OR id <= (
         SELECT id FROM events WHERE user = @user ORDER BY id DESC LIMIT 1 OFFSET @keep))`,
    ),
    setAuditMark: db.prepare('INSERT INTO audit_mark (id, seq) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET seq = excluded.seq'),
    nextId: db.prepare(
      `INSERT INTO sequences (kind, value) VALUES (?, 1) ON CONFLICT(kind) DO UPDATE SET value = value + 1 RETURNING value`,
    ),
  };

  const tx: LedgerTx = {
    ...readsOf(db),
    async nextId(kind) {
      return String((stmts.nextId.get(kind) as { value: number }).value);
    },
    async putRequest(r) {
      stmts.putRequest.run({
        id: r.id, project: r.project, creator: r.creator, status: r.status,
        expire_time: r.expireTime, seq: Number(r.id), doc: JSON.stringify(r),
      });
    },
    async putGrant(g) {
      stmts.putGrant.run({
        id: g.id, project: g.project, requester: g.requester, state: g.state,
        expire_time: g.expireTime ?? null, remind_time: g.remindTime ?? null, seq: Number(g.id), doc: JSON.stringify(g),
      });
    },
    async recordEvent(user, event, time) {
      const { id } = stmts.recordEvent.get(user, time, event.type, JSON.stringify(event.data)) as { id: number };
      stmts.pruneEvents.run({ user, before: time - EVENT_RETENTION.ms, keep: EVENT_RETENTION.perUser });
      return String(id);
    },
    async setAuditMark(seq) {
      stmts.setAuditMark.run(seq);
    },
    async putBinding(b) {
      stmts.putBinding.run({
        id: b.id, project: b.project, user: b.user, state: b.state,
        expire_time: b.expireTime, remind_time: b.remindTime ?? null, seq: Number(b.id), doc: JSON.stringify(b),
      });
    },
  };

  // One writing connection serves every caller, so transactions queue here; the lock is held
  // across the awaits inside fn, which is what makes them isolated.
  const writer = serial();
  return {
    ...readsOf(readDb),
    transaction<T>(fn: (t: LedgerTx) => Promise<T>): Promise<T> {
      const run = async () => {
        db.exec('BEGIN IMMEDIATE');
        try {
          const result = await fn(tx);
          db.exec('COMMIT');
          return result;
        } catch (err) {
          if (db.inTransaction) db.exec('ROLLBACK');
          throw err;
        }
      };
      return writer.run(run);
    },
    async close() {
      await writer.idle();
      readDb.close();
      db.close();
    },
  };
}
