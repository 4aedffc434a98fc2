// Every "bad input" of issue 3: the documented status and code, a message a person
// understands, and nothing changed — no ledger row, and no audit line except the one that
// records a refused attempt to run a grant.
import assert from 'node:assert/strict';
import { MAX_BODY_BYTES } from '../../server/http/app.js';
import { startHarness, testConfig, type Harness } from '../support/harness.js';
import { API, accessBody, activeGrant, addOtherUsers, callAs, decide, expectDeniedUse, expectRefused, requestAccess } from './helpers.js';

const ACCESS = `${API}/projects/shop/access-requests`;
const ROLE = `${API}/projects/shop/role-requests`;

describe('bad input changes nothing', () => {
  let h: Harness;
  before(async () => (h = await startHarness(testConfig(addOtherUsers))));
  after(async () => h.close());

  const post = (body: unknown, path = ACCESS) => () => h.json('alice', 'POST', path, body);
  const raw = (body: string, path = ACCESS) => async () => {
    const res = await h.call('alice', 'POST', path, body);
    return { status: res.status, body: await res.json() };
  };
  const refusedAccess = (overrides: Record<string, unknown>, ...words: RegExp[]) =>
    expectRefused(h, post(accessBody(overrides)), 400, 'INVALID_ARGUMENT', ...words);

  describe('request bodies', () => {
    it('malformed JSON', async () => {
      await expectRefused(h, raw('{"databases": ["demo/sales"], '), 400, 'INVALID_ARGUMENT', /JSON/i);
      await expectRefused(h, raw('not json at all'), 400, 'INVALID_ARGUMENT', /JSON/i);
    });

    it('unknown fields', async () => {
      const error = await refusedAccess({ approver: 'alice' }, /\$\.approver: unknown field/);
      assert.deepEqual(error.details, { field: 'approver' });
      await expectRefused(h, post({ role: 'projectOwner', databases: ['demo/sales'], duration: '1h', reason: 'x', admin: true }, ROLE), 400, 'INVALID_ARGUMENT', /\$\.admin: unknown field/);
    });

    it('wrong types', async () => {
      await refusedAccess({ databases: 'demo/sales' }, /databases/);
      await refusedAccess({ export: 'yes' }, /export/);
      await refusedAccess({ duration: 3600 }, /duration/);
      await refusedAccess({ statement: ['SELECT 1'] }, /statement/);
      await expectRefused(h, raw('[]'), 400, 'INVALID_ARGUMENT', /object/);
      await expectRefused(h, post({ role: 'root', databases: ['demo/sales'], duration: '1h', reason: 'x' }, ROLE), 400, 'INVALID_ARGUMENT', /role/);
    });

    it('missing fields', async () => {
      await expectRefused(h, post({ databases: ['demo/sales'], duration: '1h', reason: 'x' }), 400, 'INVALID_ARGUMENT', /statement/);
      await expectRefused(h, post({}), 400, 'INVALID_ARGUMENT', /databases/);
    });

    it('empty or blank reason', async () => {
      await refusedAccess({ reason: '' }, /\$\.reason: must not be empty: say why you need this access/);
      await refusedAccess({ reason: '  \n\t ' }, /reason must not be empty/);
      await expectRefused(h, post({ role: 'sqlEditorUser', databases: ['demo/sales'], duration: '1h', reason: ' ' }, ROLE), 400, 'INVALID_ARGUMENT', /reason must not be empty/);
    });

    it('durations outside min/max, and malformed ones', async () => {
      await refusedAccess({ duration: '8d' }, /duration must be between 1s and 7d/);
      await refusedAccess({ duration: '169h' }, /between 1s and 7d/);
      for (const duration of ['1 hour', '1.5h', '-1h', '0s', '1H', '', '90', '1w', '9999999999s']) {
        await refusedAccess({ duration }, /duration/);
      }
      await expectRefused(h, post({ role: 'sqlEditorUser', databases: ['demo/sales'], duration: '30d', reason: 'x' }, ROLE), 400, 'INVALID_ARGUMENT', /between/);
    });

    it('a duration below a raised minimum', async () => {
      await h.json('admin', 'PATCH', `${API}/workspace/settings`, { minGrantDuration: '5m' });
      try {
        await refusedAccess({ duration: '299s' }, /duration must be between 5m and 7d/);
      } finally {
        await h.json('admin', 'PATCH', `${API}/workspace/settings`, { minGrantDuration: '1s' });
      }
    });

    it('unknown databases, and databases of another project', async () => {
      await refusedAccess({ databases: ['demo/payroll'] }, /"demo\/payroll" is not a database of project "shop"/);
      await refusedAccess({ databases: ['demo/inventory'] }, /"demo\/inventory" is not a database of project "shop"/);
      await refusedAccess({ databases: ['demo/sales', 'demo/sales'] }, /listed twice/);
      await refusedAccess({ databases: [] }, /databases/);
      await expectRefused(h, post({ role: 'sqlEditorUser', databases: ['demo/inventory'], duration: '1h', reason: 'x' }, ROLE), 400, 'INVALID_ARGUMENT', /not a database of project/);
    });

    it('a project that does not exist, or that the caller is not a member of', async () => {
      await expectRefused(h, post(accessBody(), `${API}/projects/nope/access-requests`), 404, 'NOT_FOUND', /Project "nope" does not exist/);
      await expectRefused(h, () => callAs(h, 'olga', 'POST', ACCESS, accessBody()), 403, 'PERMISSION_DENIED', /not a member of project "shop"/);
    });

    it('oversized bodies are refused with 413', async () => {
      const big = 'x'.repeat(MAX_BODY_BYTES + 1);
      await expectRefused(h, post(accessBody({ statement: `SELECT '${big}'` })), 413, 'PAYLOAD_TOO_LARGE', /larger than 256 KiB/);
      await expectRefused(h, () => h.json('admin', 'PUT', `${API}/approval-rules`, { REQUEST_ACCESS: [], REQUEST_ROLE: [], pad: big }), 413, 'PAYLOAD_TOO_LARGE', /too large|larger/);
    });
  });

  describe('statements', () => {
    it('a second statement', async () => {
      await refusedAccess({ statement: 'SELECT 1; SELECT 2' }, /Only one statement/, /line 1, column 11/);
      await refusedAccess({ statement: "SELECT 'a\\'; DELETE FROM customers; --'" }, /Only one statement/);
    });

    it('DML and DDL', async () => {
      for (const statement of ['DELETE FROM customers', 'UPDATE customers SET name = 1', 'INSERT INTO customers (id) VALUES (1)', 'DROP TABLE customers', 'CREATE TABLE t (a int)']) {
        await refusedAccess({ statement }, /Only read-only SELECT statements are allowed/, /line 1, column 1/);
      }
    });

    it('SELECT … INTO and FOR UPDATE', async () => {
      await refusedAccess({ statement: 'SELECT * FROM customers\nFOR UPDATE' }, /FOR UPDATE/, /line 2, column 1/);
      await refusedAccess({ databases: ['demo/sales'], statement: "ATTACH DATABASE '/tmp/x.sqlite' AS x" }, /ATTACH/);
      await refusedAccess({ statement: "SELECT writefile('/tmp/x', name) FROM customers" }, /writefile\(\) has side effects/);
    });

    it('an empty or unparsable statement', async () => {
      await refusedAccess({ statement: '' }, /statement/);
      await refusedAccess({ statement: '  -- nothing\n' }, /The statement is empty/);
      await refusedAccess({ statement: 'SELECT * FROM' }, /could not be parsed/, /line 1, column 14/);
      await refusedAccess({ statement: "SELECT 'unterminated" }, /unterminated string/);
    });
  });

  describe('decisions and runs', () => {
    it('approving twice', async () => {
      const { request } = await requestAccess(h);
      await decide(h, 'bob', request.id);
      await expectRefused(h, () => h.json('bob', 'POST', `${API}/requests/${request.id}/approve`, {}), 409, 'FAILED_PRECONDITION', /already approved/);
      await expectRefused(h, () => h.json('bob', 'POST', `${API}/requests/${request.id}/reject`, {}), 409, 'FAILED_PRECONDITION', /already approved/);
      await expectRefused(h, () => h.json('alice', 'POST', `${API}/requests/${request.id}/cancel`, {}), 409, 'FAILED_PRECONDITION', /already approved/);
    });

    it('approving a canceled request', async () => {
      const { request } = await requestAccess(h);
      await decide(h, 'alice', request.id, 'cancel');
      await expectRefused(h, () => h.json('bob', 'POST', `${API}/requests/${request.id}/approve`, {}), 409, 'FAILED_PRECONDITION', /already canceled/);
    });

    it('approving, canceling or running what does not exist', async () => {
      await expectRefused(h, () => h.json('bob', 'POST', `${API}/requests/999/approve`, {}), 404, 'NOT_FOUND', /Request "999" does not exist/);
      await expectRefused(h, () => h.json('alice', 'POST', `${API}/requests/999/cancel`, {}), 404, 'NOT_FOUND', /does not exist/);
      await expectDeniedUse(h, () => h.json('alice', 'POST', `${API}/grants/999/run`, {}), 404, 'NOT_FOUND', /Grant "999" does not exist/);
    });

    it('a decision body with unknown fields', async () => {
      const { request } = await requestAccess(h);
      await expectRefused(h, () => h.json('bob', 'POST', `${API}/requests/${request.id}/approve`, { comment: 'ok', steps: [] }), 400, 'INVALID_ARGUMENT', /\$\.steps: unknown field/);
    });

    it("running someone else's grant", async () => {
      const grant = await activeGrant(h);
      for (const user of ['bob', 'dana', 'admin', 'carol'] as const) {
        await expectDeniedUse(h, () => callAs(h, user, 'POST', `${API}/grants/${grant.id}/run`, {}), 403, 'PERMISSION_DENIED', /Only the holder/);
      }
    });

    it('running before approval', async () => {
      const { grant } = await requestAccess(h);
      await expectDeniedUse(h, () => h.json('alice', 'POST', `${API}/grants/${grant.id}/run`, {}), 409, 'FAILED_PRECONDITION', /still waiting for approval/);
    });

    it('running on a database the grant does not cover, or with a bad body', async () => {
      const grant = await activeGrant(h);
      await expectDeniedUse(h, () => h.json('alice', 'POST', `${API}/grants/${grant.id}/run`, { database: 'demo/hr' }), 400, 'INVALID_ARGUMENT', /does not cover database "demo\/hr"/);
      await expectRefused(h, () => h.json('alice', 'POST', `${API}/grants/${grant.id}/run`, { database: 7 }), 400, 'INVALID_ARGUMENT', /database/);
      await expectRefused(h, () => h.json('alice', 'POST', `${API}/grants/${grant.id}/run`, { statement: 'DELETE FROM customers' }), 400, 'INVALID_ARGUMENT', /\$\.statement: unknown field/);
    });
  });
});

describe('bad input after expiry changes nothing', () => {
  let h: Harness;
  beforeEach(async () => (h = await startHarness()));
  afterEach(async () => h.close());

  it('running after expiry', async () => {
    const grant = await activeGrant(h);
    await h.advance(3_600_000);
    await expectDeniedUse(h, () => h.json('alice', 'POST', `${API}/grants/${grant.id}/run`, {}), 409, 'FAILED_PRECONDITION', /expired/);
  });

  it('approving an expired request', async () => {
    const { request } = await requestAccess(h);
    await h.advance(24 * 3_600_000);
    await expectRefused(h, () => h.json('bob', 'POST', `${API}/requests/${request.id}/approve`, {}), 409, 'FAILED_PRECONDITION', /already expired/);
  });

  it('settings patches with bad values', async () => {
    await expectRefused(h, () => h.json('bob', 'PATCH', `${API}/projects/shop/settings`, { jitAccess: 'no' }), 400, 'INVALID_ARGUMENT', /jitAccess/);
    await expectRefused(h, () => h.json('bob', 'PATCH', `${API}/projects/shop/settings`, { exportAll: true }), 400, 'INVALID_ARGUMENT', /\$\.exportAll: unknown field/);
    await expectRefused(h, () => h.json('admin', 'PATCH', `${API}/workspace/settings`, { minGrantDuration: '8d' }), 400, 'INVALID_ARGUMENT', /minGrantDuration must not exceed maxGrantDuration/);
    await expectRefused(h, () => h.json('admin', 'PATCH', `${API}/workspace/settings`, { maxResultRows: -1 }), 400, 'INVALID_ARGUMENT', /maxResultRows/);
  });

  it('settings patches are held to the configuration file\'s rules, in its words', async () => {
    await expectRefused(h, () => h.json('admin', 'PATCH', `${API}/workspace/settings`, { reminderBefore: '1 week' }), 400, 'INVALID_ARGUMENT', /\$\.reminderBefore: must be a duration like "30s", "15m", "2h" or "7d"/);
    await expectRefused(h, () => h.json('admin', 'PATCH', `${API}/workspace/settings`, { maxStatementLength: 99 }), 400, 'INVALID_ARGUMENT', /\$\.maxStatementLength: .*100/);
  });
});
