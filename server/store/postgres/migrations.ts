// The store's schema as ordered, versioned migrations. Each runs once, recorded in
// schema_migrations; all run at start inside one transaction under an advisory lock, so replicas
// that start at once apply each migration exactly once and none starts on a half-made schema.
import { GENESIS_HASH } from '../../audit/entry.js';
import { ADVISORY_LOCKS, inTransaction, type Pool } from './pool.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'ledger, events, audit chain, configuration state, identity key',
    // Records are JSON text (not jsonb, which would reorder keys) with the columns the service
    // filters and schedules on pulled out and indexed, as in the embedded ledger.
    sql: `
CREATE TABLE requests (
  id text PRIMARY KEY, project text NOT NULL, creator text NOT NULL, status text NOT NULL,
  expire_time bigint NOT NULL, seq bigint NOT NULL, doc text NOT NULL);
CREATE INDEX requests_creator ON requests (creator, seq);
CREATE INDEX requests_project ON requests (project, seq);
CREATE INDEX requests_open ON requests (status, expire_time);
CREATE TABLE grants (
  id text PRIMARY KEY, project text NOT NULL, requester text NOT NULL, state text NOT NULL,
  expire_time bigint, remind_time bigint, start_time bigint, seq bigint NOT NULL, doc text NOT NULL);
CREATE INDEX grants_requester ON grants (requester, seq);
CREATE INDEX grants_project ON grants (project, seq);
CREATE INDEX grants_active ON grants (state, expire_time);
CREATE TABLE bindings (
  id text PRIMARY KEY, project text NOT NULL, user_id text NOT NULL, state text NOT NULL,
  expire_time bigint NOT NULL, remind_time bigint, start_time bigint NOT NULL, seq bigint NOT NULL, doc text NOT NULL);
CREATE INDEX bindings_user ON bindings (user_id, project);
CREATE INDEX bindings_active ON bindings (state, expire_time);
CREATE TABLE id_sequences (kind text PRIMARY KEY, value bigint NOT NULL);
CREATE TABLE events (
  id bigserial PRIMARY KEY, user_id text NOT NULL, time bigint NOT NULL, type text NOT NULL, data text NOT NULL);
CREATE INDEX events_user ON events (user_id, id);
CREATE TABLE audit_mark (id integer PRIMARY KEY CHECK (id = 1), seq bigint NOT NULL);
CREATE TABLE audit_entries (
  seq bigint PRIMARY KEY, time bigint NOT NULL, actor text NOT NULL, action text NOT NULL,
  grant_id text, txn boolean NOT NULL, line text NOT NULL);
CREATE INDEX audit_grant ON audit_entries (grant_id, seq);
CREATE INDEX audit_actor ON audit_entries (actor, seq);
CREATE INDEX audit_action ON audit_entries (action, seq);
CREATE TABLE audit_head (id integer PRIMARY KEY CHECK (id = 1), seq bigint NOT NULL, hash text NOT NULL);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '${GENESIS_HASH}');
CREATE TABLE config_state (id integer PRIMARY KEY CHECK (id = 1), version bigint NOT NULL, doc text NOT NULL);
CREATE TABLE identity_key (id integer PRIMARY KEY CHECK (id = 1), key bytea NOT NULL);
`,
  },
];

export class SchemaTooNewError extends Error {}

/** Applies the migrations the database lacks; returns the versions applied. */
export function migrate(pool: Pool, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  return inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [ADVISORY_LOCKS.migrations]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    const done = new Set(rows.map((r) => r.version));
    const known = Math.max(0, ...migrations.map((m) => m.version));
    const newest = Math.max(0, ...done);
    if (newest > known) {
      throw new SchemaTooNewError(`the store's schema is at version ${newest}, newer than this service knows (${known}); upgrade the service before starting it on this store`);
    }
    const applied: number[] = [];
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      await client.query(m.sql);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      applied.push(m.version);
    }
    return applied;
  });
}
