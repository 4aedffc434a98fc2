// The PostgreSQL store (--store URL) on a real server: migrations, the ledger and the audit
// chain shared by two service instances on one database, as replicas share it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { DEMO_TOKENS } from '../../server/demo/demo-config.js';
import { seedDemoDatabases } from '../../server/demo/seed.js';
import { change } from '../../server/domain/change.js';
import { openService, type Service } from '../../server/service.js';
import { verifyPgAuditChain } from '../../server/store/postgres/audit-log.js';
import { migrate, MIGRATIONS } from '../../server/store/postgres/migrations.js';
import { openPool } from '../../server/store/postgres/pool.js';
import { openPostgresStores } from '../../server/store/postgres/stores.js';
import { stateFromConfig } from '../../server/store/config-store.js';
import { FakeClock } from '../support/fake-clock.js';
import { testConfig, type DemoUser } from '../support/harness.js';
import { scratchDatabase, type ScratchDatabase } from '../support/pg-store.js';

const API = '/api/v1';
const SELECT = 'SELECT country, count(*) AS n FROM customers GROUP BY country ORDER BY country';

interface Replica {
  service: Service;
  dataDir: string;
  call(user: DemoUser, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
}

async function openReplica(url: string, clock: FakeClock, seedDir: string): Promise<Replica> {
  const dataDir = mkdtempSync(join(tmpdir(), 'jit-replica-'));
  const config = testConfig();
  const service = await openService({ dataDir, seed: () => config, seedDir, clock, store: url });
  return {
    service,
    dataDir,
    async call(user, method, path, body) {
      const res = await service.app.request(path, {
        method,
        headers: { authorization: `Bearer ${DEMO_TOKENS[user]}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
  };
}

async function rows<R>(url: string, sql: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as R[];
  } finally {
    await client.end();
  }
}

const quiet = () => undefined;

describe('PostgreSQL store: migrations', () => {
  let db: ScratchDatabase;
  beforeEach(async () => (db = await scratchDatabase()));
  afterEach(() => db.drop());

  it('three replicas starting at once apply each migration exactly once', async () => {
    const pools = [1, 2, 3].map(() => openPool(db.url, quiet));
    try {
      const applied = await Promise.all(pools.map((p) => migrate(p)));
      assert.deepEqual(applied.flat(), MIGRATIONS.map((m) => m.version));
      const recorded = await rows<{ version: number }>(db.url, 'SELECT version FROM schema_migrations ORDER BY version');
      assert.deepEqual(recorded.map((r) => r.version), MIGRATIONS.map((m) => m.version));
      assert.deepEqual(await migrate(pools[0]), [], 'a later start applies nothing');
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });

  it('a service older than the store schema refuses to start on it', async () => {
    const pool = openPool(db.url, quiet);
    try {
      await migrate(pool, [...MIGRATIONS, { version: 99, name: 'from a newer service', sql: 'SELECT 1' }]);
      await assert.rejects(migrate(pool), /schema is at version 99, newer than this service knows \(1\); upgrade the service/);
    } finally {
      await pool.end();
    }
  });
});

describe('PostgreSQL store: two service instances on one database', () => {
  let db: ScratchDatabase;
  let clock: FakeClock;
  let seedDir: string;
  let a: Replica;
  let b: Replica;

  beforeEach(async () => {
    db = await scratchDatabase();
    clock = new FakeClock();
    seedDir = mkdtempSync(join(tmpdir(), 'jit-seed-'));
    seedDemoDatabases(join(seedDir, 'demo-data'));
    a = await openReplica(db.url, clock, seedDir);
    b = await openReplica(db.url, clock, seedDir);
  });
  afterEach(async () => {
    for (const r of [a, b]) {
      await r.service.close();
      rmSync(r.dataDir, { recursive: true, force: true });
    }
    rmSync(seedDir, { recursive: true, force: true });
    await db.drop();
  });

  const requestOn = async (r: Replica) => {
    const created = await r.call('alice', 'POST', `${API}/projects/shop/access-requests`, {
      databases: ['demo/sales'], statement: SELECT, duration: '1h', reason: 'ticket 42',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return created.body as { request: { id: string }; grant: { id: string } };
  };
  const auditActions = async () => (await rows<{ action: string }>(db.url, 'SELECT action FROM audit_entries ORDER BY seq')).map((r) => r.action);

  it('a request created on A is approved on B and run on A', async () => {
    const { request, grant } = await requestOn(a);
    assert.equal((await b.call('bob', 'GET', `${API}/requests/${request.id}`)).status, 200, 'B reads what A wrote');
    const approved = await b.call('bob', 'POST', `${API}/requests/${request.id}/approve`, {});
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    const run = await a.call('alice', 'POST', `${API}/grants/${grant.id}/run`, {});
    assert.equal(run.status, 200, JSON.stringify(run.body));
    assert.ok(run.body.rows.length > 0);
    assert.deepEqual(await auditActions(), ['request.created', 'request.step.approved', 'request.approved', 'grant.activated', 'grant.run']);
  });

  it('50 concurrent approvals split over both activate the grant once, with one audit line', async () => {
    const { request, grant } = await requestOn(a);
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => (i % 2 ? b : a).call('bob', 'POST', `${API}/requests/${request.id}/approve`, {})),
    );
    assert.equal(answers.filter((r) => r.status === 200).length, 1, JSON.stringify(answers.map((r) => r.status)));
    assert.ok(answers.every((r) => r.status === 200 || r.status === 409), JSON.stringify(answers.map((r) => [r.status, r.body?.code])));
    const actions = await auditActions();
    assert.equal(actions.filter((x) => x === 'grant.activated').length, 1);
    assert.equal(actions.filter((x) => x === 'request.step.approved').length, 1);
    assert.equal((await a.call('alice', 'GET', `${API}/grants/${grant.id}`)).body.state, 'ACTIVE');
    const events = await rows<{ n: number }>(db.url, "SELECT count(*)::int AS n FROM events WHERE type = 'grant.activated'");
    assert.equal(events[0].n, 1, 'one activation event recorded for replay');
  });

  it("appends from both instances form one chain that verifies, and an edited entry breaks it", async () => {
    for (const [creator, approver] of [[a, b], [b, a], [a, a], [b, b]] as const) {
      const { request } = await requestOn(creator);
      assert.equal((await approver.call('bob', 'POST', `${API}/requests/${request.id}/approve`, {})).status, 200);
    }
    const pool = openPool(db.url, quiet);
    try {
      const verified = await verifyPgAuditChain(pool);
      assert.deepEqual(verified, { ok: true, entries: 16 });
      const seqs = await rows<{ seq: number }>(db.url, 'SELECT seq::int FROM audit_entries ORDER BY seq');
      assert.deepEqual(seqs.map((r) => r.seq), Array.from({ length: 16 }, (_, i) => i + 1), 'no gap');
      await pool.query(`UPDATE audit_entries SET line = replace(line, '"actor":"bob"', '"actor":"eve"') WHERE seq = 6`);
      const broken = await verifyPgAuditChain(pool);
      assert.equal(broken.ok, false);
      assert.deepEqual(broken.ok === false && [broken.line, broken.reason], [6, 'hash does not match the content (the line was edited)']);
    } finally {
      await pool.end();
    }
  });

  it('appends outside any change, from both instances at once, link one after another', async () => {
    const appended = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 ? b : a).service.deps.audit.append({ actor: 'alice', action: 'grant.run', grantId: String(i) }, clock.now())),
    );
    assert.deepEqual(appended.map((e) => e.seq).sort((x, y) => x - y), Array.from({ length: 40 }, (_, i) => i + 1));
    const pool = openPool(db.url, quiet);
    try {
      assert.deepEqual(await verifyPgAuditChain(pool), { ok: true, entries: 40 });
    } finally {
      await pool.end();
    }
    const byGrant = await b.service.deps.audit.query({ grantId: '7', limit: 10 });
    assert.deepEqual(byGrant.map((e) => [e.actor, e.action, e.grantId]), [['alice', 'grant.run', '7']]);
  });

  it('a settings change made through A is read by B', async () => {
    const changed = await a.call('admin', 'PATCH', `${API}/workspace/settings`, { maxResultRows: 77 });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    assert.equal((await b.call('alice', 'GET', `${API}/workspace/settings`)).body.maxResultRows, 77);
    assert.ok((await auditActions()).includes('settings.changed'));
  });

  it('both instances derive the same identity passwords from the store', async () => {
    const other = await openPostgresStores(db.url, () => stateFromConfig(testConfig()), quiet);
    try {
      const stored = await rows<{ key: Buffer }>(db.url, 'SELECT key FROM identity_key');
      assert.equal(stored.length, 1);
      const again = await openPostgresStores(db.url, () => stateFromConfig(testConfig()), quiet);
      assert.equal(again.secrets.password('pg', 'jit_ro'), other.secrets.password('pg', 'jit_ro'));
      await again.close();
    } finally {
      await other.close();
    }
  });

  it('an audit entry appended in a change that rolls back is rolled back with it', async () => {
    const { ledger, audit } = a.service.deps;
    const before = await auditActions();
    await assert.rejects(
      ledger.transaction(async (tx) => {
        await audit.append({ actor: 'alice', action: 'request.created' }, clock.now(), tx);
        throw new Error('refused after the append');
      }),
      /refused after the append/,
    );
    assert.deepEqual(await auditActions(), before);
    const next = await audit.append({ actor: 'system', action: 'probe' }, clock.now());
    assert.equal(next.seq, before.length + 1, 'the chain goes on from the last committed entry');
  });

  it('a change that fails after its audit entries leaves no entry, not even an audit.uncommitted one', async () => {
    const before = await auditActions();
    // An event whose data cannot be recorded fails the change after its entries were appended.
    const failing = change(a.service.deps, async (_tx, fx) => {
      fx.audit({ actor: 'alice', action: 'request.created' });
      fx.emit(['alice'], { type: 'request.created', data: { unrecordable: 1n } } as never);
    });
    await assert.rejects(failing, /BigInt/);
    assert.deepEqual(await auditActions(), before);
  });
});
