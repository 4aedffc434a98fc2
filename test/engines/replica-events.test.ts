// Events across replicas on real PostgreSQL (LISTEN/NOTIFY): replicas share one PostgreSQL
// ledger, whose transactions announce the events they record when they commit, and a
// subscriber on any replica gets every user's events committed on any, in ledger order, with
// the ids a replay gives, once each — also those of a replica that died right after its
// commit; a notification missed while the LISTEN connection was down is made up for when it
// comes back.
import assert from 'node:assert/strict';
import type { DeliveredEvent } from '../../contract/events.js';
import { change } from '../../server/domain/change.js';
import { systemClock } from '../../server/domain/clock.js';
import type { Deps } from '../../server/domain/deps.js';
import { startReplication, type Replication } from '../../server/replicas/replication.js';
import type { Ledger } from '../../server/store/ledger.js';
import { openPgLedger } from '../../server/store/postgres/ledger.js';
import { migrate } from '../../server/store/postgres/migrations.js';
import { openPool } from '../../server/store/postgres/pool.js';
import pg from 'pg';
import { scratchDatabase, type ScratchDatabase } from '../support/pg-store.js';
import { until } from '../support/until.js';

describe('replicas: events relayed through PostgreSQL', function () {
  this.timeout(60_000);
  let db: ScratchDatabase;
  let admin: pg.Pool;
  let pool: pg.Pool;
  let ledger: Ledger;
  const replicas: Replication[] = [];
  const log: string[] = [];

  const replica = async () => {
    const r = await startReplication({ url: db.url, ledger, log: (l) => log.push(l), retryMs: 100 });
    replicas.push(r);
    return r;
  };
  const listen = (r: Replication, user: string) => {
    const got: DeliveredEvent[] = [];
    r.events.subscribe(user, (e) => got.push(e));
    return got;
  };
  // No webhook is configured here; the change still hands its events over after the commit.
  const noWebhooks = { enqueue: async () => undefined };
  // A change as the domain makes it: the event recorded in the ledger transaction, handed to
  // the replica's delivery after the commit.
  const commit = (r: Replication, users: string[], grantId: string) =>
    change({ ledger, clock: systemClock, events: r.events, webhooks: noWebhooks } as unknown as Deps, async (_tx, fx) => {
      fx.emit(users, { type: 'grant.expired', data: { grantId, project: 'shop' } });
    });
  const replay = (user: string) => ledger.eventsSince(user, '0', 1000);

  before(async () => {
    db = await scratchDatabase();
    admin = new pg.Pool({ connectionString: db.url, max: 1 });
    pool = openPool(db.url, (l) => log.push(l));
    await migrate(pool);
    ledger = openPgLedger(pool);
  });
  after(async () => {
    for (const r of replicas) await r.close();
    await ledger?.close();
    await pool?.end();
    await admin?.end();
    await db?.drop();
  });

  it('delivers the events committed on either replica to the subscribers of both, in ledger order, once each, with the replay ids', async () => {
    const [a, b] = [await replica(), await replica()];
    const aliceOnA = listen(a, 'alice');
    const aliceOnB = listen(b, 'alice');
    const bobOnB = listen(b, 'bob');
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => commit(i % 2 ? a : b, i % 3 ? ['alice'] : ['alice', 'bob'], `g-${i}`)),
    );
    await until('alice to get 40 events on both replicas and bob 14 on B', () => aliceOnA.length >= 40 && aliceOnB.length >= 40 && bobOnB.length >= 14);
    await Promise.all([a.events.idle(), b.events.idle()]);
    assert.deepEqual(aliceOnB, await replay('alice'));
    assert.deepEqual(aliceOnA, await replay('alice'));
    assert.deepEqual(bobOnB, await replay('bob'));
  });

  it('gives a subscriber only what was committed after it subscribed, also on a replica that has seen no event yet', async () => {
    const a = replicas[0];
    await commit(a, ['dave'], 'history-1');
    await commit(a, ['dave'], 'history-2');
    const fresh = await replica();
    const daveOnFresh = listen(fresh, 'dave');
    await fresh.events.idle();
    await commit(a, ['dave'], 'news');
    await until('dave to get the new event', () => daveOnFresh.length >= 1);
    await fresh.events.idle();
    assert.deepEqual(daveOnFresh.map((e) => e.type === 'grant.expired' && e.data.grantId), ['news']);
  });

  it('delivers the event of a replica that died right after its commit, before it could deliver anything itself', async () => {
    const [a, b] = replicas;
    const erinOnA = listen(a, 'erin');
    const erinOnB = listen(b, 'erin');
    // The commit of a replica gone before its own delivery: only the store can have told the others.
    await ledger.transaction((tx) => tx.recordEvent('erin', { type: 'grant.expired', data: { grantId: 'last-words', project: 'shop' } }, systemClock.now()));
    await until('erin to get the event on both replicas', () => erinOnA.length >= 1 && erinOnB.length >= 1);
    assert.deepEqual(erinOnA, await replay('erin'));
    assert.deepEqual(erinOnB, await replay('erin'));
  });

  it('after its LISTEN connection was cut, reads what it was not told about', async () => {
    const b = replicas[1];
    const carolOnB = listen(b, 'carol');
    // An event whose announcement nobody heard (written without the ledger's NOTIFY), then the cut.
    await admin.query("INSERT INTO events (user_id, time, type, data) VALUES ('carol', $1, 'grant.expired', $2)", [systemClock.now(), JSON.stringify({ grantId: 'silent', project: 'shop' })]);
    const { rowCount } = await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'jit-access replica events'");
    assert.equal(rowCount, replicas.length);
    await until('carol to get the event nobody announced', () => carolOnB.length >= 1);
    assert.deepEqual(carolOnB, await replay('carol'));
    assert.ok(log.some((l) => l.includes('connection to the store lost')), log.join('\n'));
  });
});
