// Several replicas behave as one service (issue 19): a real PostgreSQL store and three
// `jit-server --store URL` processes. One client alternates replicas call by call (create on
// one, approve on the next, run on the third) while replicas that are not watched are SIGKILLed
// and restarted under load; the timer duty moves when its holder dies. Checked afterwards:
// nothing acknowledged is lost, activation happens exactly once, the audit entries of all
// replicas form one unbroken chain, the events reach a subscriber on another replica in order
// and complete, and every expiry and reminder is recorded once. A grant is refused at its
// expireTime on every replica even while no replica runs the timers.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { seedDemoDatabases } from '../../server/demo/seed.js';
import { ADVISORY_LOCKS } from '../../server/store/postgres/pool.js';
import { auditVerify, client, startChild, writeConfig, type Child } from '../reliability/support/child.js';
import { reliabilityConfig, withFreshTokens } from '../reliability/support/config.js';
import { scratchDatabase, type ScratchDatabase } from '../support/pg-store.js';
import { until } from '../support/until.js';

const API = '/api/v1';
const STATEMENT = 'SELECT country, count(*) AS n FROM customers GROUP BY country ORDER BY country';
// JIT_REPLICA_KILLS lowers the count while iterating.
const KILLS = Number(process.env.JIT_REPLICA_KILLS ?? 6);
/** Replica 2 carries the event subscriber and is never killed; 0 and 1 are. */
const WATCHED = 2;

interface Call {
  status: number;
  body: any;
}
interface Tracked {
  requestId: string;
  grantId: string;
  /** The grant state the last acknowledged call left. */
  acked: 'PENDING' | 'ACTIVE' | 'REVOKED';
  /** What a call that got no answer would have made. */
  maybe?: 'ACTIVE' | 'REVOKED';
}
interface Received {
  id: string;
  type: string;
  data: any;
}

/** Subscribes to a replica's event stream, collecting into `got`; resolves once the stream is open. */
async function subscribe(url: string, token: string, got: Received[]): Promise<AbortController> {
  const abort = new AbortController();
  const res = await fetch(`${url}${API}/events`, { headers: { authorization: `Bearer ${token}` }, signal: abort.signal });
  assert.equal(res.status, 200);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let opened: () => void;
  const open = new Promise<void>((resolve) => (opened = resolve));
  const read = async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      if (buffer.includes(': connected')) opened();
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const lines = buffer.slice(0, end).split('\n').filter((l) => !l.startsWith(':'));
        buffer = buffer.slice(end + 2);
        const fields = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]));
        if (fields.id) got.push({ id: fields.id, type: fields.event, data: JSON.parse(fields.data) });
      }
    }
  };
  // Ends with an abort when the suite is done.
  read().catch(() => undefined);
  await open;
  return abort;
}

describe('replicas: three services on one PostgreSQL store', function () {
  this.timeout(300_000);
  let db: ScratchDatabase;
  let pool: pg.Pool;
  let dir: string;
  let configFile: string;
  let tokens: Record<string, string>;
  const replicas: (Child | undefined)[] = [undefined, undefined, undefined];
  const calls: ((user: string, method: string, path: string, body?: unknown) => Promise<Call>)[] = [];
  let turn = 0;
  const aliceEvents: Received[] = [];
  let watching: AbortController | undefined;

  const start = async (i: number) => {
    const child = await startChild({ configFile, dataDir: join(dir, `data-${i}`), label: `replica ${i}`, args: ['--store', db.url] });
    replicas[i] = child;
    calls[i] = client(child.url, tokens);
  };
  const kill = async (i: number) => {
    const child = replicas[i]!;
    replicas[i] = undefined;
    await child.stop('SIGKILL');
  };
  /** One call on the next live replica (they take turns); undefined when the replica died under it. */
  const call = async (user: string, method: string, path: string, body?: unknown): Promise<Call | undefined> => {
    let i = turn++ % replicas.length;
    while (!replicas[i]) i = turn++ % replicas.length;
    try {
      const res = await calls[i](user, method, path, body);
      assert.ok(res.status < 500, `${method} ${path} on replica ${i} → ${res.status} ${JSON.stringify(res.body)}`);
      return res;
    } catch (err) {
      if (err instanceof assert.AssertionError) throw err;
      return undefined;
    }
  };
  /** A call on a replica that stays up (for setting up and checking). */
  const on = (i: number, user: string, method: string, path: string, body?: unknown) => calls[i](user, method, path, body);
  /** The application_name of each connection holding the timer duty (it names the replica's pid). */
  const dutyHolders = async (): Promise<string[]> =>
    (
      await pool.query(
        'SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE l.locktype = $1 AND l.granted AND l.objid = $2',
        ['advisory', ADVISORY_LOCKS.timerDuty],
      )
    ).rows.map((r) => r.application_name);
  /** The replica holding the timer duty, or -1. */
  const dutyHolder = async () => {
    const [name] = await dutyHolders();
    return replicas.findIndex((r) => r && name === `jit-access timer duty, pid ${r.pid}`);
  };
  const terminateDuty = (i: number) =>
    pool.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [`jit-access timer duty, pid ${replicas[i]!.pid}`]);
  const audited = async (action: string, grantId: string) =>
    Number((await pool.query('SELECT count(*) AS n FROM audit_entries WHERE action = $1 AND grant_id = $2', [action, grantId])).rows[0].n);
  const createAndApprove = async (duration: string) => {
    const created = await on(0, 'alice', 'POST', `${API}/projects/shop/access-requests`, { databases: ['demo/sales'], statement: STATEMENT, duration, reason: 'replica test' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return { requestId: created.body.request.id as string, grantId: created.body.grant.id as string };
  };

  before(async () => {
    db = await scratchDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
    dir = mkdtempSync(join(tmpdir(), 'jit-replicas-'));
    seedDemoDatabases(join(dir, 'demo-data'));
    const fresh = withFreshTokens(
      reliabilityConfig((c) => {
        c.workspace.pendingRequestTtl = '1h';
        c.workspace.maxRunningPerUser = 100;
      }),
    );
    tokens = fresh.tokens;
    configFile = writeConfig(dir, fresh.config);
    // One after the other: the first one seeds the store's configuration and takes the timer duty.
    for (let i = 0; i < replicas.length; i++) await start(i);
  });
  after(async () => {
    watching?.abort();
    for (let i = 0; i < replicas.length; i++) if (replicas[i]) await kill(i);
    await pool?.end();
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a subscriber on one replica is told of changes made on the others', async () => {
    watching = await subscribe(replicas[WATCHED]!.url, tokens.alice, aliceEvents);
    const { requestId, grantId } = await createAndApprove('1h');
    assert.equal((await on(1, 'bob', 'POST', `${API}/requests/${requestId}/approve`, {})).status, 200);
    await until('alice to hear of the approval on replica 2', () => aliceEvents.some((e) => e.type === 'grant.activated' && e.data.grantId === grantId));
  });

  it('activates a request exactly once when 50 approvals arrive at once, spread over the three replicas', async () => {
    const { requestId, grantId } = await createAndApprove('1h');
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => on(i % 3, 'bob', 'POST', `${API}/requests/${requestId}/approve`, {})));
    assert.equal(results.filter((r) => r.status === 200).length, 1, JSON.stringify(results.map((r) => r.status)));
    for (const r of results.filter((r) => r.status !== 200)) assert.equal(r.status, 409, JSON.stringify(r.body));
    assert.equal(await audited('grant.activated', grantId), 1);
    await until('alice to hear of the activation', () => aliceEvents.some((e) => e.type === 'grant.activated' && e.data.grantId === grantId));
    assert.equal(aliceEvents.filter((e) => e.type === 'grant.activated' && e.data.grantId === grantId).length, 1);
  });

  it('refuses a grant at its expireTime on every replica while no replica runs the timers', async () => {
    // The test holds the timer duty itself: whatever expires now, the run path finds by the clock.
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    try {
      await until('the test to take the timer duty', async () => {
        const i = await dutyHolder();
        if (i >= 0) await terminateDuty(i);
        return (await holder.query('SELECT pg_try_advisory_lock($1) AS held', [ADVISORY_LOCKS.timerDuty])).rows[0].held;
      });
      const { requestId, grantId } = await createAndApprove('1s');
      assert.equal((await on(1, 'bob', 'POST', `${API}/requests/${requestId}/approve`, {})).status, 200);
      const { expireTime } = (await on(2, 'alice', 'GET', `${API}/grants/${grantId}`)).body;
      await until('the grant to reach its expireTime', () => Date.now() >= Date.parse(expireTime));
      for (let i = 0; i < replicas.length; i++) {
        const run = await on(i, 'alice', 'POST', `${API}/grants/${grantId}/run`, {});
        assert.equal(run.status, 409, `replica ${i}: ${JSON.stringify(run.body)}`);
        assert.match(run.body.error.message, /expired/);
      }
      assert.equal(await audited('grant.expired', grantId), 1);
    } finally {
      await holder.end();
    }
    await until('a replica to take the timer duty back', async () => (await dutyHolder()) >= 0);
  });

  it(`under load with ${KILLS} SIGKILLs: nothing acknowledged lost, one chain, events in order, expiries and reminders recorded once`, async () => {
    const tracked: Tracked[] = [];
    let stopping = false;
    const worker = async () => {
      while (!stopping) {
        const created = await call('alice', 'POST', `${API}/projects/shop/access-requests`, {
          databases: ['demo/sales'], statement: STATEMENT, duration: `${2 + Math.floor(Math.random() * 3)}s`, reason: 'replica load',
        });
        if (created?.status !== 201) continue;
        const t: Tracked = { requestId: created.body.request.id, grantId: created.body.grant.id, acked: 'PENDING' };
        tracked.push(t);
        if (Math.random() < 0.1) continue;
        t.maybe = 'ACTIVE';
        const approved = await call('bob', 'POST', `${API}/requests/${t.requestId}/approve`, {});
        if (!approved) continue;
        t.maybe = undefined;
        if (approved.status !== 200) continue;
        t.acked = 'ACTIVE';
        const run = await call('alice', 'POST', `${API}/grants/${t.grantId}/run`, {});
        if (run && run.status !== 200) assert.equal(run.status, 409, JSON.stringify(run.body)); // expired meanwhile
        if (Math.random() < 0.2) {
          t.maybe = 'REVOKED';
          const revoked = await call('bob', 'POST', `${API}/grants/${t.grantId}/revoke`, {});
          if (revoked) t.maybe = undefined;
          if (revoked?.status === 200) t.acked = 'REVOKED';
        }
      }
    };
    // Every other kill is of the duty's holder, so the duty must not rest with the watched replica.
    const dutyOffWatched = () =>
      until('a replica that may be killed to hold the timer duty', async () => {
        const i = await dutyHolder();
        if (i === WATCHED) await terminateDuty(i);
        return i >= 0 && i !== WATCHED;
      });
    let takeovers = 0;
    const workers = [worker(), worker()];
    try {
      for (let k = 0; k < KILLS; k++) {
        await new Promise((r) => setTimeout(r, 500 + Math.random() * 1000));
        if (k % 2 === 0) await dutyOffWatched();
        const holder = await dutyHolder();
        const victim = k % 2 === 0 ? holder : [0, 1].find((i) => i !== holder)!;
        await kill(victim);
        await until('a replica to hold the timer duty after the kill', async () => (await dutyHolder()) >= 0, 30_000, 50);
        if (victim === holder) takeovers++;
        await start(victim);
      }
    } finally {
      stopping = true;
      await Promise.all(workers);
    }
    assert.ok(tracked.length > KILLS, `only ${tracked.length} requests under load`);
    assert.ok(takeovers >= Math.floor(KILLS / 2), `the timer duty was taken over ${takeovers} times`);

    // Nothing acknowledged lost.
    const grants = new Map<string, any>();
    for (let i = 0; i < replicas.length; i++) {
      const list = await on(i, 'admin', 'GET', `${API}/projects/shop/grants`);
      assert.equal(list.status, 200);
      if (i === 0) for (const g of list.body.grants) grants.set(g.id, g);
      else assert.deepEqual(new Set(list.body.grants.map((g: any) => g.id)), new Set(grants.keys()), `replica ${i} lists other grants`);
    }
    const after: Record<Tracked['acked'], string[]> = { PENDING: ['PENDING'], ACTIVE: ['ACTIVE', 'EXPIRED'], REVOKED: ['REVOKED'] };
    for (const t of tracked) {
      const g = grants.get(t.grantId);
      assert.ok(g, `acknowledged grant ${t.grantId} lost`);
      const allowed = [...after[t.acked], ...(t.maybe ? after[t.maybe] : [])];
      assert.ok(allowed.includes(g.state), `grant ${t.grantId}: acknowledged ${t.acked}, maybe ${t.maybe}, found ${g.state}`);
    }

    // Every grant past its expiry is recorded expired, by the timer duty, once.
    await until('every grant past its expiry to be recorded expired', async () => {
      const active = (await on(WATCHED, 'admin', 'GET', `${API}/projects/shop/grants?state=ACTIVE`)).body.grants;
      return active.every((g: any) => Date.parse(g.expireTime) > Date.now() - 500);
    }, 30_000, 100);
    const twice = await pool.query(
      `SELECT action, grant_id, count(*) AS n FROM audit_entries WHERE action IN ('grant.expired', 'request.expired', 'grant.activated') GROUP BY action, grant_id HAVING count(*) > 1`,
    );
    assert.deepEqual(twice.rows, []);
    const remindedTwice = await pool.query("SELECT data, count(*) AS n FROM events WHERE type = 'grant.expiring' GROUP BY user_id, data HAVING count(*) > 1");
    assert.deepEqual(remindedTwice.rows, []);
    const expired = [...grants.values()].filter((g) => g.state === 'EXPIRED');
    assert.ok(expired.length > 0, 'no grant expired under load');
    for (const g of expired) assert.equal(await audited('grant.expired', g.id), 1, `grant ${g.id}`);

    // The audit entries of all replicas form one chain, as `jit-server audit verify --store` reads it.
    // The replicas keep writing (expiries fall due), so the chain it read lies between two counts.
    const entries = async () => Number((await pool.query('SELECT count(*) AS n FROM audit_entries')).rows[0].n);
    const countedBefore = await entries();
    const verified = await auditVerify({ store: db.url });
    const countedAfter = await entries();
    assert.equal(verified.code, 0, verified.stderr);
    assert.equal(verified.out.event, 'audit.verified');
    assert.ok(verified.out.entries >= countedBefore && verified.out.entries <= countedAfter, `verified ${verified.out.entries} entries, the store had ${countedBefore} before and ${countedAfter} after`);

    // The subscriber on the replica that stayed up got alice's events in ledger order, each once.
    // The ledger keeps only a user's newest events (EVENT_RETENTION), so under a long load it
    // may have pruned her first ones: what it still holds must be what she got last.
    const recorded = (await pool.query("SELECT id::text AS id, type FROM events WHERE user_id = 'alice' ORDER BY events.id")).rows;
    const last = recorded[recorded.length - 1].id;
    await until('alice\'s subscriber to get every recorded event', () => aliceEvents.some((e) => e.id === last), 30_000, 100);
    const got = aliceEvents.map((e) => ({ id: e.id, type: e.type }));
    got.forEach((e, i) => i && assert.ok(BigInt(e.id) > BigInt(got[i - 1].id), `event ${e.id} after ${got[i - 1].id}`));
    assert.deepEqual(got.filter((e) => BigInt(e.id) >= BigInt(recorded[0].id)), recorded);
  });
});
