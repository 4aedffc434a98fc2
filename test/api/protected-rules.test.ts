// Rules that a mutation run found unprotected: with each one broken, every test still passed.
// Each test here is written from the user's side (status, rows, audit lines, who gets which
// event) and was checked to fail with its rule broken by hand.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DatabaseSync } from '@photostructure/sqlite';
import { startHarness, testConfig, type Harness } from '../support/harness.js';
import { addOtherUsers, API, callAs, decide, rawAs, requestAccess, requestRole } from './helpers.js';

const HOUR = 3_600_000;
// Long enough on any machine that the clock can be moved while it runs.
const SLOW_COUNT = 'WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 3000000) SELECT count(*) AS n FROM c';
const SECRET = /@example\.com|\d{3}-\d{2}-\d{4}/;

/** An approved, active time-boxed role of alice's (owner, then DBA approve). */
async function grantedRole(h: Harness, role: string, databases: string[]) {
  const request = await requestRole(h, { role, databases });
  await decide(h, 'bob', request.id);
  await decide(h, 'dana', request.id);
  return request;
}

/** Starts `act` and, once the statement has had time to reach the engine, moves the clock by `ms`. */
async function whileRunning<T>(h: Harness, act: () => Promise<T>, ms: number): Promise<T> {
  const pending = act();
  await new Promise((r) => setTimeout(r, 150));
  await h.advance(ms);
  return pending;
}

describe('rules a mutation run found unprotected', () => {
  let h: Harness;
  afterEach(async () => h.close());

  describe('direct access by role', () => {
    beforeEach(async () => (h = await startHarness()));

    it('a projectExporter\'s direct export is masked', async () => {
      await grantedRole(h, 'projectExporter', ['demo/hr']);
      const res = await rawAs(h, 'alice', 'POST', `${API}/projects/shop/export`, {
        database: 'demo/hr', statement: 'SELECT id, email, salary, ssn FROM employees ORDER BY id', format: 'csv',
      });
      assert.equal(res.status, 200);
      const lines = (await res.text()).trim().split('\r\n');
      assert.equal(lines[0], 'id,email,salary,ssn');
      assert.ok(lines.length > 100, 'rows were exported');
      for (const line of lines.slice(1)) {
        assert.doesNotMatch(line, SECRET, `unmasked value in ${line}`);
        assert.equal(line.split(',')[2], '******', `salary not masked in ${line}`);
      }
    });

    it('a role limited to some databases cannot query another database of the project', async () => {
      await grantedRole(h, 'sqlEditorUser', ['demo/sales']);
      const allowed = await callAs(h, 'alice', 'POST', `${API}/projects/shop/query`, { database: 'demo/sales', statement: 'SELECT count(*) AS n FROM orders' });
      assert.equal(allowed.status, 200, JSON.stringify(allowed.body));
      const before = h.auditLines().length;
      const other = await callAs(h, 'alice', 'POST', `${API}/projects/shop/query`, { database: 'demo/hr', statement: 'SELECT name FROM employees' });
      assert.equal(other.status, 403, JSON.stringify(other.body));
      assert.equal(other.body.rows, undefined);
      assert.ok(h.auditLines().slice(before).every((l) => l.outcome !== 'ok'), 'no successful read of demo/hr is audited');
    });

    it('a role that lapses while its statement runs returns no rows, and the audit says why', async () => {
      await grantedRole(h, 'sqlEditorUser', ['demo/sales']);
      const res = await whileRunning(h, () => callAs(h, 'alice', 'POST', `${API}/projects/shop/query`, { database: 'demo/sales', statement: SLOW_COUNT }), 2 * HOUR);
      assert.equal(res.status, 409, JSON.stringify(res.body));
      assert.equal(res.body.rows, undefined);
      assert.match(res.body.error.message, /lapsed while the statement ran/);
      const last = h.auditLines().filter((l) => l.action === 'project.query').at(-1);
      assert.equal(last.outcome, 'denied');
    });
  });

  describe('grants', () => {
    beforeEach(async () => (h = await startHarness()));

    it('a grant that expires while its statement runs returns no rows, and the audit says why', async () => {
      const { request, grant } = await requestAccess(h, { statement: SLOW_COUNT });
      await decide(h, 'bob', request.id);
      const res = await whileRunning(h, () => callAs(h, 'alice', 'POST', `${API}/grants/${grant.id}/run`, {}), 2 * HOUR);
      assert.equal(res.status, 409, JSON.stringify(res.body));
      assert.equal(res.body.rows, undefined);
      assert.match(res.body.error.message, /Grant \d+ (was expired|expired at .*) while the statement ran/);
      const last = h.auditLines().filter((l) => l.action === 'grant.run').at(-1);
      assert.equal(last.outcome, 'denied');
    });

    it('no export row leaves before its start is in the audit log: a failing audit append stops the export', async () => {
      const { request, grant } = await requestAccess(h, { statement: 'SELECT id, product FROM orders ORDER BY id', export: true });
      await decide(h, 'bob', request.id);
      await decide(h, 'dana', request.id);
      const audit = h.service.deps.audit;
      const append = audit.append.bind(audit);
      audit.append = async (event, time) => {
        if (event.action === 'grant.export') throw new Error('disk full (injected)');
        return append(event, time);
      };
      const res = await rawAs(h, 'alice', 'GET', `${API}/grants/${grant.id}/export?format=csv`);
      const body = await res.text();
      assert.equal(res.status, 500, body);
      assert.doesNotMatch(body, /product|\n\d+,/, 'no rows in the answer');
    });
  });

  describe('events', () => {
    // dana owns ops too, so olga's sentinel request has an approver (it is no dead end).
    beforeEach(async () => {
      h = await startHarness(testConfig((c) => {
        addOtherUsers(c);
        c.projects[1].members.push({ user: 'dana', roles: ['projectOwner'] });
      }));
      // The ops project's database: a request is routed on what its engine reads there.
      new DatabaseSync(join(h.dataDir, 'demo-data', 'inventory.sqlite')).close();
    });

    async function stream(user: 'bob' | 'olga') {
      const res = await rawAs(h, user, 'GET', `${API}/events`);
      assert.equal(res.status, 200);
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      let text = '';
      return {
        async until(pattern: RegExp) {
          while (!pattern.test(text)) text += (await reader.read()).value;
          return text;
        },
        close: () => reader.cancel(),
      };
    }

    it('a user receives only the events that concern them, not other users\' requests', async () => {
      const bob = await stream('bob');
      const olga = await stream('olga');
      const { request } = await requestAccess(h);
      await bob.until(new RegExp(`"requestId":"${request.id}"`));
      // olga's own request is the sentinel: anything published before it has reached her stream.
      const own = await callAs(h, 'olga', 'POST', `${API}/projects/ops/access-requests`, {
        databases: ['demo/inventory'], statement: 'SELECT 1 AS one', duration: '1h', reason: 'sentinel',
      });
      assert.equal(own.status, 201, JSON.stringify(own.body));
      const seen = await olga.until(new RegExp(`"requestId":"${own.body.request.id}"`));
      await Promise.all([bob.close(), olga.close()]);
      assert.ok(!seen.includes(`"requestId":"${request.id}"`), `olga received alice's request: ${seen}`);
      assert.doesNotMatch(seen, /"creator":"alice"/);
    });
  });
});
