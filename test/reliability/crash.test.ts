// Crash consistency: the real service under steady load is SIGKILLed at random moments, 20
// times. After each kill the audit log is checked with `jit-server audit verify` before the
// restart (a torn last line must be reported, not accepted); after each restart every request
// and grant the client saw acknowledged (2xx) must be there in the acknowledged state (or the
// state of the one call that was cut off), no grant may be ACTIVE past its expiry, and at the
// end every acknowledged call has its audit entry.
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedDemoDatabases } from '../../server/demo/seed.js';
import { auditVerify, client, startChild, writeConfig, type Child } from './support/child.js';
import { reliabilityConfig, withFreshTokens, withPostgresInstance } from './support/config.js';
import { figures, record } from './support/outputs.js';

const API = '/api/v1';
// JIT_RELIABILITY_KILLS lowers the count while iterating; the suite runs 20.
const KILLS = Number(process.env.JIT_RELIABILITY_KILLS ?? 20);
const WORKERS = 3;
const STATEMENT = 'SELECT country, count(*) AS n FROM customers GROUP BY country ORDER BY country';

type Status = 'OPEN' | 'APPROVED' | 'REJECTED' | 'CANCELED' | 'EXPIRED';
type GrantState = 'PENDING' | 'ACTIVE' | 'EXPIRED' | 'REVOKED' | 'REJECTED' | 'CANCELED';
interface Seen {
  status: Status;
  grant: GrantState;
  expireTime?: string;
}
interface Tracked {
  requestId: string;
  grantId: string;
  acked: Seen;
  /** The state a call that got no answer (the service died) would have made. */
  maybe?: Seen;
  /** Runs acknowledged with 200. */
  runs: number;
  /** Audit actions the acknowledged calls must have left. */
  audited: string[];
}

const random = (lo: number, hi: number) => lo + Math.floor(Math.random() * (hi - lo + 1));
const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)];

async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 20_000, stepMs = 20): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

describe('crash consistency (SIGKILL under load)', function () {
  this.timeout(240_000);
  let dir: string;
  let child: Child | undefined;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'jit-crash-'));
  });
  after(async () => {
    await child?.stop('SIGKILL');
    for (const f of readdirSync(join(dir, 'data')).filter((f) => f.startsWith('audit.jsonl'))) {
      record(`crash data dir ${f}`, readFileSync(join(dir, 'data', f), 'utf8'));
    }
    record('crash state.json', readFileSync(join(dir, 'data', 'state.json'), 'utf8'));
    rmSync(dir, { recursive: true, force: true });
  });

  it(`survives ${KILLS} SIGKILLs: nothing acknowledged is lost, no grant outlives its expiry, the audit chain holds`, async () => {
    seedDemoDatabases(join(dir, 'demo-data'));
    const { config, tokens } = withFreshTokens(
      reliabilityConfig((c) => {
        c.workspace.pendingRequestTtl = '1h';
        // Several workers run alice's grants at once; the per-user share is not under test here.
        c.workspace.maxRunningPerUser = 100;
        withPostgresInstance(c);
      }),
    );
    const configFile = writeConfig(dir, config);
    const dataDir = join(dir, 'data');
    const tracked = new Map<string, Tracked>();
    let acks = 0;
    let call: ReturnType<typeof client>;
    let up = false;
    let stopping = false;
    let tornReal = 0;
    let tornSimulated = 0;
    let recovered = 0;

    /** One call whose outcome moves a tracked request; unknown outcomes (the service died) are remembered as maybe. */
    const act = async (t: Tracked | undefined, target: Seen | undefined, user: string, method: string, path: string, body?: unknown) => {
      if (t && target) t.maybe = target;
      try {
        const res = await call(user, method, path, body);
        if (res.status >= 500) assert.fail(`${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
        if (t) t.maybe = undefined;
        if (res.status < 300) acks++;
        return res;
      } catch (err) {
        if (err instanceof assert.AssertionError) throw err;
        return undefined; // connection refused or reset: the service was killed
      }
    };

    const worker = async () => {
      while (!stopping) {
        if (!up) {
          await until('the service to be back', () => up || stopping, 60_000);
          continue;
        }
        const created = await act(undefined, undefined, 'alice', 'POST', `${API}/projects/shop/access-requests`, {
          databases: ['demo/sales'], statement: STATEMENT, duration: `${random(1, 4)}s`, reason: 'crash test',
        });
        if (created?.status !== 201) continue;
        const t: Tracked = {
          requestId: created.body.request.id, grantId: created.body.grant.id, acked: { status: 'OPEN', grant: 'PENDING' }, runs: 0, audited: ['request.created'],
        };
        tracked.set(t.requestId, t);
        const choice = Math.random();
        if (choice < 0.1) continue; // left open
        if (choice < 0.2) {
          const r = await act(t, { status: 'CANCELED', grant: 'CANCELED' }, 'alice', 'POST', `${API}/requests/${t.requestId}/cancel`, {});
          if (r?.status === 200) (t.acked = { status: 'CANCELED', grant: 'CANCELED' }), t.audited.push('request.canceled');
          continue;
        }
        if (choice < 0.3) {
          const r = await act(t, { status: 'REJECTED', grant: 'REJECTED' }, 'bob', 'POST', `${API}/requests/${t.requestId}/reject`, {});
          if (r?.status === 200) (t.acked = { status: 'REJECTED', grant: 'REJECTED' }), t.audited.push('request.rejected');
          continue;
        }
        const approved = await act(t, { status: 'APPROVED', grant: 'ACTIVE' }, 'bob', 'POST', `${API}/requests/${t.requestId}/approve`, {});
        if (approved?.status !== 200) continue;
        // The grant's expireTime is known only from reading it; until then it is maybe-ACTIVE.
        t.acked = { status: 'APPROVED', grant: 'ACTIVE' };
        t.audited.push('request.approved', 'grant.activated');
        const g = await act(undefined, undefined, 'alice', 'GET', `${API}/grants/${t.grantId}`);
        if (g?.status === 200) t.acked.expireTime = g.body.expireTime;
        for (let i = random(1, 2); i > 0; i--) {
          const run = await act(undefined, undefined, 'alice', 'POST', `${API}/grants/${t.grantId}/run`, {});
          if (run?.status === 200) t.runs++;
          else if (run) assert.equal(run.status, 409, JSON.stringify(run.body)); // expired meanwhile
        }
        if (Math.random() < 0.3) {
          const r = await act(t, { ...t.acked, grant: 'REVOKED' }, 'bob', 'POST', `${API}/grants/${t.grantId}/revoke`, {});
          if (r?.status === 200) (t.acked = { ...t.acked, grant: 'REVOKED' }), t.audited.push('grant.revoked');
        }
      }
    };

    /** One acknowledged request against what the service now says about it. */
    const compare = (t: Tracked, status: string, grant: any, restartedAt: number) => {
      const allowed = [t.acked, ...(t.maybe ? [t.maybe] : [])];
      const where = `request ${t.requestId}: acknowledged ${JSON.stringify(t.acked)}, maybe ${JSON.stringify(t.maybe)}, found ${status}/${grant.state}`;
      assert.ok(allowed.some((s) => s.status === status), where);
      const grantOk = allowed.some((s) => s.grant === grant.state || (s.grant === 'ACTIVE' && grant.state === 'EXPIRED' && Date.parse(grant.expireTime) <= Date.now()));
      assert.ok(grantOk, where);
      if (t.acked.expireTime) assert.equal(grant.expireTime, t.acked.expireTime, `${where}: expireTime changed`);
      if (grant.state === 'ACTIVE') assert.ok(Date.parse(grant.expireTime) > restartedAt, `grant ${grant.id} is ACTIVE past its expiry ${grant.expireTime} after the restart`);
      recovered++;
    };
    const requestStatus: Record<string, Status> = { PENDING: 'OPEN', ACTIVE: 'APPROVED', EXPIRED: 'APPROVED', REVOKED: 'APPROVED', REJECTED: 'REJECTED', CANCELED: 'CANCELED' };

    /**
     * After a restart: every acknowledged request and grant is there as acknowledged (the
     * project's grant list carries each request's outcome; the requests with a call cut off by
     * the kill are read one by one), and nothing is ACTIVE past its expiry.
     */
    const check = async (restartedAt: number, full: boolean) => {
      const list = await call('admin', 'GET', `${API}/projects/shop/grants`);
      assert.equal(list.status, 200);
      const grants = new Map<string, any>(list.body.grants.map((g: any) => [g.id, g]));
      for (const t of tracked.values()) {
        const grant = grants.get(t.grantId);
        assert.ok(grant, `acknowledged grant ${t.grantId} (request ${t.requestId}) lost`);
        if (full || t.maybe) {
          const r = await call('admin', 'GET', `${API}/requests/${t.requestId}`);
          assert.equal(r.status, 200, `acknowledged request ${t.requestId} lost: ${JSON.stringify(r.body)}`);
          compare(t, r.body.status, grant, restartedAt);
        } else {
          compare(t, grant.state === 'EXPIRED' && t.acked.status === 'OPEN' ? 'EXPIRED' : requestStatus[grant.state], grant, restartedAt);
        }
      }
      // Whatever was due at the restart was expired before the service listened; what fell
      // due since is expired by the service's own timer.
      const active = list.body.grants.filter((g: any) => g.state === 'ACTIVE');
      for (const g of active) assert.ok(Date.parse(g.expireTime) > restartedAt, `grant ${g.id} ACTIVE past its expiry ${g.expireTime} after the restart`);
      const due = active.filter((g: any) => Date.parse(g.expireTime) <= Date.now()).map((g: any) => g.id);
      await until('the service to expire what fell due', async () => {
        const now = Date.now();
        const still = (await call('admin', 'GET', `${API}/projects/shop/grants?state=ACTIVE`)).body.grants;
        return due.every((id: string) => !still.some((g: any) => g.id === id)) && still.every((g: any) => Date.parse(g.expireTime) > now - 2000);
      }, 10_000, 50);
    };

    const start = async () => {
      const restartedAt = Date.now();
      child = await startChild({ configFile, dataDir, label: 'crash service' });
      call = client(child.url, tokens);
      return restartedAt;
    };

    await start();
    up = true;
    const workers = Array.from({ length: WORKERS }, () => worker());
    const failed = Promise.race(workers.map((w) => w.then(() => new Promise<never>(() => undefined))));
    try {
      for (let kill = 1; kill <= KILLS; kill++) {
        const before = acks;
        await Promise.race([until('load to make progress', () => acks >= before + 3, 60_000), failed]);
        await new Promise((r) => setTimeout(r, random(0, 400))); // a random moment in the load
        up = false;
        await child!.stop('SIGKILL');

        const auditFile = join(dataDir, 'audit.jsonl');
        if (kill === Math.ceil(KILLS / 2)) {
          // A torn write, as a crash in the middle of an append leaves it (SIGKILL rarely does).
          appendFileSync(auditFile, '{"seq":999999,"time":"2026-11-25T00:00:00.000Z","actor":"system","act');
          tornSimulated++;
        }
        const torn = !readFileSync(auditFile).subarray(-1).equals(Buffer.from('\n'));
        const verified = await auditVerify(dataDir);
        if (torn) {
          if (kill !== Math.ceil(KILLS / 2)) tornReal++;
          assert.equal(verified.code, 1, `a torn last line must fail audit verify: ${JSON.stringify(verified.out)}`);
          assert.equal(verified.out.event, 'audit.broken');
          assert.match(verified.out.reason, /torn/);
          assert.equal(verified.out.line, verified.out.verifiedEntries + 1, 'only the last line is broken');
        } else {
          assert.equal(verified.code, 0, `audit verify after kill ${kill}: ${JSON.stringify(verified.out)} ${verified.stderr}`);
        }
        const tornFilesBefore = readdirSync(dataDir).filter((f) => f.startsWith('audit.jsonl.torn-')).length;

        const restartedAt = await start();
        if (torn) {
          assert.equal(readdirSync(dataDir).filter((f) => f.startsWith('audit.jsonl.torn-')).length, tornFilesBefore + 1, 'the torn tail is kept beside the log');
          const lines = readFileSync(auditFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
          assert.ok(lines.some((l) => l.action === 'audit.repaired' && l.seq === verified.out.verifiedEntries + 1), 'the cut is recorded in the log');
        }
        await check(restartedAt, kill === KILLS);
        if (process.env.JIT_RELIABILITY_VERBOSE) console.log(`      kill ${kill}: ${tracked.size} requests, ${acks} acks, ${Date.now() - restartedAt} ms since restart`);
        up = true;
      }
    } finally {
      stopping = true;
      up = false;
      await Promise.allSettled(workers);
    }
    await Promise.race([Promise.all(workers), failed]);
    const stopped = await child!.stop('SIGTERM');
    assert.equal(stopped.code, 0, 'SIGTERM drains and exits 0');
    child = undefined;
    const final = await auditVerify(dataDir);
    assert.equal(final.code, 0, JSON.stringify(final.out));

    // Every acknowledged call left its audit entry (appended before the answer went out).
    const lines = readFileSync(join(dataDir, 'audit.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    for (const t of tracked.values()) {
      for (const action of t.audited) {
        assert.ok(lines.some((l) => l.action === action && l.requestId === t.requestId), `no ${action} audit entry for acknowledged request ${t.requestId}`);
      }
      const runs = lines.filter((l) => l.action === 'grant.run' && l.grantId === t.grantId && l.outcome === 'ok').length;
      assert.ok(runs >= t.runs, `grant ${t.grantId}: ${t.runs} acknowledged runs, ${runs} audited`);
    }
    const acknowledged = tracked.size;
    figures.kills = KILLS;
    figures.acknowledgedRequests = acknowledged;
    figures.acknowledgedCalls = acks;
    figures.recoveredChecks = recovered;
    figures.tornReal = tornReal;
    figures.tornSimulated = tornSimulated;
    figures.auditEntries = final.out.entries;
    console.log(`      ${KILLS} kills; ${acknowledged} requests acknowledged, all ${acknowledged} recovered (${recovered} checks after restarts); ${acks} calls acknowledged; torn tails: ${tornReal} real, ${tornSimulated} simulated; ${final.out.entries} audit entries verified`);
  });
});
