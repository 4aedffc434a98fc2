// Replicas on one PostgreSQL store (issue 19): create → approve → run throughput with 1, 2 and
// 3 `jit-server --store` processes, each operation's three calls spread round-robin over the
// replicas, and the create → approve → run latency on a store holding a long history against
// the embedded store holding the same. Needs a PostgreSQL server, found as run-overhead-postgres
// finds it (test/setup/db-servers.sh).
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { scratchDatabase, type ScratchDatabase } from '../../test/support/pg-store.js';
import { count, ms, p50p99, ratio } from '../lib/format.js';
import { writeHistory } from '../lib/history.js';
import { client, type Client } from '../lib/http.js';
import { makeFixture, PROJECT, TOKENS, type Fixture } from '../lib/fixture.js';
import { CLI, startService, type RunningService } from '../lib/service.js';
import { summarize, timed } from '../lib/stats.js';
import { outcome, type Context, type Outcome, type Suite } from '../lib/suite.js';
import { approve, database, requestAccess, runGrant, type Actors } from '../lib/workflow.js';
import { SMALL_SQL } from './run-overhead.js';

const DAY = 86_400_000;

const actorsOf = (service: RunningService): Actors => ({ requester: client(service.url, TOKENS.alice), approver: client(service.url, TOKENS.bob) });

/** One replica of the store, with its own data dir (each service locks its own). */
const replica = (fixture: Fixture, store: string, i: number) =>
  startService({ configFile: fixture.configFile, dataDir: join(fixture.dir, `data-${i}`), args: ['--store', store] });

/** The successful runs of `grantIds` the store's audit chain records, and whether the chain verifies. */
async function storeAudit(url: string, grantIds: string[]): Promise<{ runs: number; chainVerified: boolean }> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const { rows } = await db.query(
      "SELECT count(*) AS n FROM audit_entries WHERE action = 'grant.run' AND grant_id = ANY($1) AND (line::json)->>'outcome' = 'ok'",
      [grantIds],
    );
    const chainVerified = await promisify(execFile)(process.execPath, [CLI, 'audit', 'verify', '--store', url]).then(() => true, () => false);
    return { runs: Number(rows[0].n), chainVerified };
  } finally {
    await db.end();
  }
}

/**
 * `grants` finished grants with their requests, written straight into the store's own tables in
 * one statement each, as the embedded ledger's history is (bench/lib/history.ts): replaying them
 * over HTTP would take hours. Ids continue from there through id_sequences.
 */
async function prefillStore(url: string, grants: number): Promise<void> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  const rows = `SELECT i, i::text AS id, $2::bigint - ${300 * DAY} + i AS ct, CASE WHEN i % 20 = 0 THEN 'alice' ELSE 'user' || (i % 20) END AS who,
    'SELECT id, customer, amount FROM wide WHERE id = ' || i AS stmt FROM generate_series(1, $1::integer) AS i`;
  // One clock reading for both tables, so a grant and its request agree on their times.
  const params = [grants, Date.now(), PROJECT, database('wide'), 'investigating a customer ticket'];
  try {
    await db.query('BEGIN');
    await db.query(
      `INSERT INTO requests (id, project, creator, status, expire_time, seq, doc)
       SELECT id, $3, who, 'APPROVED', ct + ${DAY}, i, json_build_object('id', id, 'type', 'ACCESS_GRANT', 'project', $3::text, 'creator', who, 'status', 'APPROVED',
         'payload', json_build_object('databases', json_build_array($4::text), 'statement', stmt, 'tables', json_build_array('wide'), 'export', false,
           'unmask', false, 'duration', '1d', 'reason', $5::text),
         'rule', json_build_object('title', 'The owner approves every read', 'source', 'REQUEST_ACCESS', 'index', 0),
         'steps', json_build_array(json_build_object('roles', json_build_array('projectOwner'), 'approver', 'bob', 'decision', 'APPROVED', 'time', ct + 60000)),
         'currentStep', 1, 'createTime', ct, 'expireTime', ct + ${DAY}, 'decideTime', ct + 60000, 'grantId', id)::text
       FROM (${rows}) AS s`,
      params,
    );
    await db.query(
      `INSERT INTO grants (id, project, requester, state, expire_time, remind_time, start_time, seq, doc)
       SELECT id, $3, who, 'EXPIRED', ct + 60000 + ${DAY}, NULL, ct + 60000, i, json_build_object('id', id, 'project', $3::text, 'requester', who, 'requestId', id,
         'databases', json_build_array($4::text), 'statement', stmt, 'export', false, 'unmask', false, 'reason', $5::text, 'duration', '1d',
         'state', 'EXPIRED', 'createTime', ct, 'activateTime', ct + 60000, 'expireTime', ct + 60000 + ${DAY})::text
       FROM (${rows}) AS s`,
      params,
    );
    await db.query(
      "INSERT INTO id_sequences (kind, value) VALUES ('request', $1), ('grant', $1) ON CONFLICT (kind) DO UPDATE SET value = excluded.value",
      [grants],
    );
    await db.query('COMMIT');
  } finally {
    await db.end();
  }
}

/** `ops` create → approve → run operations by `clients` concurrent callers; call k of them goes to replica k mod n. */
async function throughput(replicas: Actors[], ops: number, clients: number, grantIds: string[], errors: string[]): Promise<number> {
  let next = 0;
  let turn = 0;
  const on = () => replicas[turn++ % replicas.length];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < ops) {
        next++;
        try {
          const { request, grant } = await requestAccess(on().requester, 'wide', SMALL_SQL);
          await approve(on().approver, request.id);
          await runGrant(on().requester, grant.id);
          grantIds.push(grant.id);
        } catch (err) {
          errors.push((err as Error).message);
        }
      }
    }),
  );
  return ops / ((performance.now() - started) / 1000);
}

async function measureThroughput(ctx: Context, out: Outcome, db: ScratchDatabase): Promise<void> {
  const ops = ctx.quick ? 12 : 600;
  const clients = ctx.quick ? 3 : 12;
  const fixture = makeFixture('replicas-throughput', { wide: 100 });
  const services: RunningService[] = [];
  const grantIds: string[] = [];
  const errors: string[] = [];
  const opsPerSecond: number[] = [];
  try {
    for (let n = 1; n <= 3; n++) {
      services.push(await replica(fixture, db.url, n));
      const replicas = services.map(actorsOf);
      // A round on every replica first, so each has compiled its paths and opened its pool.
      await throughput(replicas, clients, clients, grantIds, errors);
      opsPerSecond.push(await throughput(replicas, ops, clients, grantIds, errors));
      ctx.log(`${n} replica(s): ${count(opsPerSecond[n - 1])} create+approve+run/s`);
    }
  } finally {
    await Promise.all(services.map((s) => s.stop()));
  }
  const audit = await storeAudit(db.url, grantIds);
  fixture.remove();
  out.data.throughput = { ops, clients, opsPerSecond, errors: errors.length, audit };
  opsPerSecond.forEach((v, i) =>
    out.rows.push({ measure: `${i + 1} replica(s): ${clients} clients × ${count(ops)} create → approve → run, calls round-robin over the replicas`, result: `${count(v)} operations/s`, status: 'info' }),
  );
  out.rows.push(
    { measure: 'throughput, 3 replicas vs 1', result: ratio(opsPerSecond[2] / opsPerSecond[0]), status: 'info' },
    { measure: 'runs with their audit entry in the store', result: `${count(audit.runs)} of ${count(grantIds.length)}, chain ${audit.chainVerified ? 'verified' : 'BROKEN'}`, goal: 'all', status: audit.runs === grantIds.length && audit.chainVerified ? 'met' : 'missed' },
  );
  out.notes.push(
    'Replica throughput: every replica, the PostgreSQL server and the benchmark\'s clients share this machine\'s cores, so more replicas ' +
      'add processes competing for the same CPUs rather than capacity; the ratio says what replicas cost here, not how they scale on separate hosts.',
  );
  if (errors.length) out.failures.push(`${errors.length} failed create → approve → run operations: ${[...new Set(errors)].slice(0, 5).join('; ')}`);
  if (audit.runs !== grantIds.length || !audit.chainVerified) out.failures.push(`${grantIds.length} runs but ${audit.runs} grant.run entries in the store (chain verified: ${audit.chainVerified})`);
}

async function measureLatency(ctx: Context, out: Outcome, db: ScratchDatabase): Promise<void> {
  const grants = ctx.quick ? 1_000 : 100_000;
  const rounds = ctx.quick ? 8 : 60;
  const warmup = 3;
  const embedded = makeFixture('replicas-embedded', { wide: 100 });
  const onStore = makeFixture('replicas-store', { wide: 100 });
  mkdirSync(embedded.dataDir, { recursive: true });
  const services: RunningService[] = [];
  const samples = { embedded: [] as number[], postgres: [] as number[] };
  try {
    const prepared = {
      embedded: await timed(() => writeHistory(embedded.dataDir, { grants, auditLines: 0 })),
      // A first start creates the store's schema and configuration; the history goes in while no replica runs.
      postgres: await timed(async () => {
        await (await replica(onStore, db.url, 0)).stop();
        await prefillStore(db.url, grants);
      }),
    };
    ctx.log(`${count(grants)} grants written: embedded ${ms(prepared.embedded)}, PostgreSQL ${ms(prepared.postgres)}`);
    out.data.prepareMs = prepared;
    services.push(await startService(embedded), await replica(onStore, db.url, 0));
    const [local, stored] = services.map(actorsOf);
    // The written history must read back as the service's own records (alice made every 20th).
    const old = await stored.requester.json('GET', `/grants/${grants}`);
    if (old.status !== 200 || old.body.state !== 'EXPIRED') out.failures.push(`grant ${grants} of the written history: HTTP ${old.status} ${JSON.stringify(old.body).slice(0, 200)}`);
    const once = async (actors: Actors, i: number) => {
      const { request, grant } = await requestAccess(actors.requester, 'wide', `SELECT * FROM wide WHERE id = ${(i % 100) + 1}`);
      await approve(actors.approver, request.id);
      await runGrant(actors.requester, grant.id);
    };
    // Alternating, so a noisy neighbour slows both stores alike.
    for (let i = 0; i < warmup + rounds; i++) {
      const e = await timed(() => once(local, i));
      const p = await timed(() => once(stored, i));
      if (i < warmup) continue;
      samples.embedded.push(e);
      samples.postgres.push(p);
    }
  } finally {
    await Promise.all(services.map((s) => s.stop()));
    embedded.remove();
    onStore.remove();
  }
  const latency = { embedded: summarize(samples.embedded), postgres: summarize(samples.postgres) };
  out.data.latency = { grants, latency };
  out.rows.push(
    { measure: `create → approve → run at ${count(grants)} grants, PostgreSQL store`, result: p50p99(latency.postgres), status: 'info' },
    { measure: `create → approve → run at ${count(grants)} grants, embedded store`, result: p50p99(latency.embedded), status: 'info' },
    { measure: 'PostgreSQL store vs embedded at p50', result: ratio(latency.postgres.p50 / latency.embedded.p50), status: 'info' },
  );
  out.notes.push(
    `Store latency: both histories hold ${count(grants)} finished grants with their requests and no audit history (the store's audit ` +
      'chain cannot be written by SQL alone, so neither side has one); the embedded ledger gets the mix of ends of ledger-scale, the store only expired grants.',
  );
}

const adminUrl = process.env.JIT_TEST_PG_ADMIN_URL;

export const replicasSuite: Suite = {
  name: 'replicas',
  title: 'Replicas on a PostgreSQL store',
  unavailable: adminUrl
    ? undefined
    : 'no PostgreSQL server: run `test/setup/db-servers.sh npm run bench`, which starts one and sets JIT_TEST_PG_ADMIN_URL',
  async run(ctx) {
    const out = outcome();
    for (const measure of [measureThroughput, measureLatency]) {
      const db = await scratchDatabase();
      try {
        await measure(ctx, out, db);
      } finally {
        await db.drop();
      }
    }
    return out;
  },
};
