// Hostile input, property-based (fast-check): the statement gate, request bodies, headers,
// path ids and CEL rule text. Nothing may crash the service (no 500), nothing written may
// change data, and no rule that fails to evaluate may approve anything.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { DomainError } from '../../server/domain/errors.js';
import { createSqliteEngine } from '../../server/engines/sqlite.js';
import { compileCondition, checkCondition } from '../../server/policy/cel.js';
import { routeRequest } from '../../server/policy/approval.js';
import { checkStatement } from '../../server/sql/statement-gate.js';
import type { Engine } from '../../server/engines/engine.js';
import { activeGrant, API, request, startRel, type Rel } from './support/inproc.js';
import { countInputs } from './support/outputs.js';
import { NO_MASKING } from '../support/run-scope.js';

const SEED = Number(process.env.JIT_RELIABILITY_SEED ?? Date.now() % 2 ** 31);
const params = (numRuns: number) => ({ numRuns, seed: SEED });
console.log(`      fast-check seed ${SEED} (JIT_RELIABILITY_SEED=${SEED} replays it)`);

// ---- generators -------------------------------------------------------------------------

const COLUMNS = { customers: ['id', 'name', 'country', 'created_on'], orders: ['id', 'customer_id', 'product', 'quantity', 'amount', 'ordered_on'] };
const table = fc.constantFrom('customers', 'orders') as fc.Arbitrary<keyof typeof COLUMNS>;
const literal = fc.oneof(fc.integer({ min: -1000, max: 100000 }).map(String), fc.string({ maxLength: 12 }).map((s) => `'${s.replace(/'/g, "''")}'`), fc.constant('NULL'));

/** Random read-only SELECTs over the demo's sales tables. */
const readOnlySelect = table.chain((t) => {
  const col = fc.constantFrom(...COLUMNS[t]);
  const expr = fc.oneof(col, literal, fc.tuple(fc.constantFrom('upper', 'lower', 'length', 'abs', 'trim', 'typeof'), col).map(([f, c]) => `${f}(${c})`));
  const cond = fc.tuple(col, fc.constantFrom('=', '<', '>=', '<>', 'LIKE', 'IS NOT'), literal).map(([c, op, v]) => `${c} ${op} ${v}`);
  return fc
    .record({
      distinct: fc.boolean(),
      cols: fc.array(expr, { minLength: 1, maxLength: 4 }),
      where: fc.option(fc.array(cond, { minLength: 1, maxLength: 3 }), { nil: undefined }),
      order: fc.option(col, { nil: undefined }),
      limit: fc.option(fc.integer({ min: 0, max: 50 }), { nil: undefined }),
      cte: fc.boolean(),
      semicolon: fc.boolean(),
      comment: fc.boolean(),
    })
    .map((q) => {
      const select = `SELECT ${q.distinct ? 'DISTINCT ' : ''}${q.cols.map((c, i) => `${c} AS c${i}`).join(', ')} FROM ${q.cte ? 'src' : t}${
        q.where ? ` WHERE ${q.where.join(' AND ')}` : ''
      }${q.order ? ` ORDER BY ${q.order === undefined ? 1 : 1}` : ''}${q.limit !== undefined ? ` LIMIT ${q.limit}` : ''}`;
      const sql = q.cte ? `WITH src AS (SELECT * FROM ${t}) ${select}` : select;
      return `${q.comment ? '-- read only\n' : ''}${sql}${q.semicolon ? ';' : ''}`;
    });
});

const WRITES = [
  "INSERT INTO customers (id, name, country, created_on) VALUES (99999, 'x', 'DE', '2020-01-01')",
  "INSERT INTO orders SELECT * FROM orders",
  "REPLACE INTO customers (id, name, country, created_on) VALUES (1, 'x', 'DE', '2020-01-01')",
  "UPDATE customers SET name = 'pwned'",
  "UPDATE orders SET amount = 0 WHERE id > 0 RETURNING id",
  'DELETE FROM orders',
  'DELETE FROM customers WHERE id = 1 RETURNING *',
  'DROP TABLE orders',
  'CREATE TABLE t (x)',
  'CREATE TEMP TABLE t AS SELECT * FROM customers',
  'ALTER TABLE customers ADD COLUMN y',
  'CREATE INDEX i ON orders (amount)',
  "ATTACH DATABASE '/tmp/jit-attack.sqlite' AS a",
  'PRAGMA writable_schema = 1',
  'PRAGMA query_only = 0',
  'VACUUM',
  'REINDEX',
  'ANALYZE',
  'BEGIN',
  'WITH x AS (SELECT 1) DELETE FROM orders',
  'WITH x AS (DELETE FROM orders RETURNING *) SELECT * FROM x',
  "SELECT writefile('/tmp/jit-attack.txt', 'x')",
  "SELECT load_extension('/tmp/x')",
  'SELECT * INTO copy FROM customers',
  'SELECT * FROM customers FOR UPDATE',
];

/** Mutations of a write statement that might fool a gate: case, comments, stacking, wrapping. */
const mutatedWrite = fc.tuple(fc.constantFrom(...WRITES), fc.integer({ min: 0, max: 9 }), fc.boolean(), fc.boolean()).map(([w, how, lower, ws]) => {
  let s = lower ? w.toLowerCase() : w;
  if (ws) s = s.replace(/ /g, '\n\t ');
  switch (how) {
    case 1: return `SELECT 1; ${s}`;
    case 2: return `${s}; SELECT 1`;
    case 3: return s.replace(/ /g, '/**/');
    case 4: return `/* SELECT */ ${s}`;
    case 5: return `-- SELECT\n${s}`;
    case 6: return `SELECT 1 /*; */; ${s} --`;
    case 7: return `SELECT (${s})`;
    case 8: return `SELECT 1 UNION ALL ${s}`;
    case 9: return `${s}\u0000`;
    default: return s;
  }
});

/** Any string, biased towards SQL punctuation and keywords. */
const sqlish = fc.array(fc.oneof(fc.constantFrom("'", '"', '`', '[', ']', ';', '--', '/*', '*/', '$$', '\\', '(', ')', ' ', '\n', 'SELECT', 'FROM', 'DELETE', 'WITH', 'x'), fc.string({ maxLength: 3 })), { maxLength: 30 }).map((xs) => xs.join(''));

function gate(sql: string): 'accepted' | 'refused' {
  try {
    checkStatement(sql, 'sqlite');
    return 'accepted';
  } catch (err) {
    assert.ok(err instanceof DomainError, `the gate threw ${(err as Error)?.name}: ${(err as Error)?.message} for ${JSON.stringify(sql)}`);
    assert.equal(err.code, 'INVALID_ARGUMENT');
    return 'refused';
  }
}

const hashFile = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('hostile input (property-based)', function () {
  this.timeout(120_000);

  describe('statement gate', () => {
    let dir: string;
    let engine: Engine;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'jit-gate-'));
      const seeded = mkdtempSync(join(tmpdir(), 'jit-seed-'));
      // The demo's sales database, copied so the property can check it is byte-for-byte unchanged.
      return import('../../server/demo/seed.js').then(({ seedDemoDatabases }) => {
        seedDemoDatabases(seeded);
        cpSync(join(seeded, 'sales.sqlite'), join(dir, 'sales.sqlite'));
        rmSync(seeded, { recursive: true, force: true });
        engine = createSqliteEngine({ dir, maxWorkers: 2 });
      });
    });
    after(async () => {
      await engine.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('accepts random read-only SELECTs, and the engine runs them', async () => {
      let n = 0;
      await fc.assert(
        fc.asyncProperty(readOnlySelect, async (sql) => {
          n++;
          assert.equal(gate(sql), 'accepted', sql);
          const result = await engine.query('sales', sql, { timeoutMs: 10_000, maxRows: 100 }, NO_MASKING);
          assert.ok(result.columns.length >= 1);
        }),
        params(150),
      );
      countInputs('read-only SELECTs', n);
    });

    it('refuses random write statements and their mutations, or they fail harmlessly at run time (data unchanged)', async () => {
      const file = join(dir, 'sales.sqlite');
      const before = hashFile(file);
      let n = 0;
      let accepted = 0;
      await fc.assert(
        fc.asyncProperty(mutatedWrite, async (sql) => {
          n++;
          if (gate(sql) === 'refused') return;
          accepted++;
          await engine.query('sales', sql, { timeoutMs: 10_000, maxRows: 100 }, NO_MASKING).catch(() => undefined);
        }),
        params(300),
      );
      // Every write statement itself, unmutated, is run on the engine too, bypassing the gate.
      for (const sql of WRITES) await engine.query('sales', sql, { timeoutMs: 10_000, maxRows: 100 }, NO_MASKING).catch(() => undefined);
      assert.equal(hashFile(file), before, 'the database changed');
      countInputs('write statements and mutations', n + WRITES.length);
      console.log(`      ${n} mutated writes: ${n - accepted} refused by the gate, ${accepted} accepted and harmless at run time`);
    });

    it('never throws anything but INVALID_ARGUMENT on arbitrary text, for every dialect', () => {
      let n = 0;
      fc.assert(
        fc.property(fc.oneof(sqlish, fc.string({ maxLength: 200 }), fc.string({ unit: 'grapheme', maxLength: 50 })), fc.constantFrom('sqlite', 'postgres', 'mysql'), (sql, kind) => {
          n++;
          try {
            checkStatement(sql, kind as 'sqlite');
          } catch (err) {
            assert.ok(err instanceof DomainError && err.code === 'INVALID_ARGUMENT', `${kind}: ${(err as Error)?.name} ${(err as Error)?.message} for ${JSON.stringify(sql)}`);
          }
        }),
        params(1500),
      );
      countInputs('arbitrary statement text', n);
    });
  });

  describe('HTTP', () => {
    let r: Rel;
    let grantId: string;
    let requestId: string;
    before(async () => {
      r = await startRel();
      grantId = (await activeGrant(r)).id;
      requestId = (await request(r)).request.id;
    });
    after(async () => r.close());

    const noServerError = (what: string, res: { status: number; body: any }) => {
      assert.ok(res.status < 500, `${what} → ${res.status} ${JSON.stringify(res.body)}`);
      if (res.status >= 400) assert.equal(typeof res.body?.error?.code, 'string', `${what}: an error body`);
    };

    it('random JSON bodies on every route that takes one never yield a 500', async () => {
      const routes = r.h.service.app.routes.filter((x) => ['POST', 'PUT', 'PATCH'].includes(x.method));
      const paths = [...new Set(routes.map((x) => `${x.method} ${x.path}`))].map((x) => {
        const [method, path] = x.split(' ');
        return { method, path: path.replace(':p', 'shop').replace(':id', path.includes('/grants/') ? grantId : requestId) };
      });
      assert.ok(paths.length >= 12);
      const keys = ['databases', 'statement', 'duration', 'reason', 'export', 'unmask', 'role', 'comment', 'database', 'format', 'jitAccess', 'maxResultRows', 'REQUEST_ACCESS', 'queryTimeout', '__proto__', 'constructor'];
      const shaped = fc.dictionary(fc.constantFrom(...keys), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 });
      let n = 0;
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...paths), fc.oneof(fc.jsonValue({ maxDepth: 4 }), shaped), fc.constantFrom('bob', 'alice', 'dana'), async (route, body, user) => {
          n++;
          // Never let a random body turn the rules or settings into something that breaks the run.
          if (route.path.endsWith('/approval-rules') || route.path.endsWith('/workspace/settings')) user = 'alice';
          noServerError(`${user} ${route.method} ${route.path} ${JSON.stringify(body)}`, await r.call(user, route.method, route.path, body));
        }),
        params(400),
      );
      // Bodies that are not JSON at all, or lie about their type.
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...paths), fc.string({ maxLength: 300 }), fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data'), async (route, text, type) => {
          n++;
          const res = await r.raw('bob', route.method, route.path, text, { 'content-type': type });
          const body = await res.text();
          assert.ok(res.status < 500, `${route.method} ${route.path} ${type} ${JSON.stringify(text)} → ${res.status} ${body}`);
        }),
        params(200),
      );
      countInputs('request bodies', n);
    });

    it('malformed, huge and repeated Authorization headers are 401, never 500', async () => {
      const valid = 'Bearer alice-demo-token';
      const header = fc.oneof(
        fc.string({ maxLength: 600 }),
        fc.string({ maxLength: 600 }).map((s) => `Bearer ${s}`),
        fc.integer({ min: 513, max: 70_000 }).map((n) => `Bearer ${'a'.repeat(n)}`),
        fc.constantFrom('Bearer', 'Bearer ', 'bearer alice-demo-token', 'Basic YWxpY2U6cHc=', 'Bearer  alice-demo-token', `${valid}, ${valid}`, `${valid},Bearer bob-demo-token`, 'Bearer alice-demo-token\u00a0'),
        fc.string({ unit: 'grapheme', maxLength: 40 }).map((s) => `Bearer ${s}`),
      );
      let n = 0;
      await fc.assert(
        fc.asyncProperty(header, fc.constantFrom(`${API}/me`, `${API}/grants/${grantId}/run`), async (value, path) => {
          n++;
          let res: Response;
          try {
            res = await r.h.service.app.request(path, { method: path.endsWith('/run') ? 'POST' : 'GET', headers: { authorization: value, 'content-type': 'application/json' }, body: path.endsWith('/run') ? '{}' : undefined });
          } catch {
            return; // not a valid header value: no client can send it
          }
          const body = await res.text();
          assert.equal(res.status, 401, `${JSON.stringify(value.slice(0, 80))} (${value.length} chars) → ${res.status} ${body}`);
        }),
        params(300),
      );
      // A repeated header is joined by the client ("a, b"): still one token only.
      const h = new Headers();
      h.append('authorization', valid);
      h.append('authorization', valid);
      assert.equal((await r.h.service.app.request(`${API}/me`, { headers: h })).status, 401);
      countInputs('Authorization headers', n + 1);
    });

    it('hostile path ids (traversal, very long, unicode, encoded) are 4xx, and never show another user anything', async () => {
      const id = fc.oneof(
        fc.constantFrom('..', '../..', '../../etc/passwd', '%2e%2e%2f%2e%2e', '..%2f..%2fstate.json', '%00', '1%00', '1;DROP', "1' OR '1'='1", '0x1', '-1', '1e3', ' 1', '1 ', '01', '9'.repeat(400), '%C0%AE%C0%AE', '%', '%%', '\\..\\..'),
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }).map(encodeURIComponent),
        fc.integer({ min: 60, max: 20_000 }).map((n) => 'x'.repeat(n)),
        fc.string({ minLength: 1, maxLength: 20 }).map(encodeURIComponent),
      );
      const templates = ['/grants/ID', '/grants/ID/run', '/grants/ID/export', '/grants/ID/revoke', '/requests/ID', '/requests/ID/approve', '/projects/ID', '/projects/ID/grants', '/projects/ID/access-requests'];
      let n = 0;
      await fc.assert(
        fc.asyncProperty(id, fc.constantFrom(...templates), fc.constantFrom('olga', 'dana', 'alice'), async (value, template, user) => {
          n++;
          const method = /run|revoke|approve|access-requests/.test(template) ? 'POST' : 'GET';
          const path = `${API}${template.replace('ID', value)}`;
          let res: { status: number; body: any };
          try {
            res = await r.call(user, method, path, method === 'POST' ? {} : undefined);
          } catch (err) {
            if (err instanceof TypeError) return; // not a URL a client can send
            throw err;
          }
          noServerError(`${user} ${method} ${path.slice(0, 120)}`, res);
          // Only a numeric id can name anything; alice's own grant/request may answer.
          if (res.status < 300) assert.ok(user !== 'olga' || template.startsWith('/projects/'), `${user} ${method} ${path} → ${res.status}`);
        }),
        params(400),
      );
      countInputs('path ids', n);
    });

    it('random CEL rule text: saved or refused with a position, never a 500; requests still route, never auto-approved on error', async () => {
      const fragment = fc.constantFrom(
        'request.unmask', 'request.data_export', 'request.expiration_seconds', 'request.statement', 'resource.table_name', 'resource.environment_id',
        'resource.nope', 'request', '==', '!=', '&&', '||', '!', '(', ')', '"prod"', "'x'", '1', '0', '1.5', '/', '%', 'size(', '.matches(', '[', ']', '{', '}',
        'true', 'false', 'null', ' ', 'in', 'has(', '.startsWith(', ',', '?', ':', '-', '9223372036854775807', 'int(', 'string(', 'dyn(',
      );
      // Mostly well-typed boolean expressions (some of which fail at run time), some mangled.
      const atom = fc.oneof(
        fc.constantFrom('request.unmask', 'request.data_export', 'true', 'false', 'resource.environment_id == "prod"', 'resource.table_name == ""', 'request.statement.matches("[")', 'request.statement.startsWith("SELECT")'),
        fc.tuple(fc.constantFrom('request.expiration_seconds', 'request.expiration_seconds / 0', 'request.expiration_seconds % 0', 'size(request.statement)'), fc.constantFrom('>', '==', '<='), fc.integer({ min: -5, max: 100000 })).map(([a, op, n]) => `${a} ${op} ${n}`),
      );
      const expr: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
        e: fc.oneof({ depthSize: 'small', withCrossShrink: true }, atom, fc.tuple(tie('e'), fc.constantFrom('&&', '||'), tie('e')).map(([a, op, b]) => `(${a} ${op} ${b})`), tie('e').map((a) => `!${a}`)),
      })).e;
      const mangled = fc.tuple(expr, fc.array(fragment, { maxLength: 3 }), fc.nat()).map(([e, frags, at]) => {
        const i = at % (e.length + 1);
        return e.slice(0, i) + frags.join('') + e.slice(i);
      });
      const condition = fc.oneof({ arbitrary: expr, weight: 4 }, { arbitrary: mangled, weight: 2 }, { arbitrary: fc.array(fragment, { minLength: 1, maxLength: 14 }).map((xs) => xs.join(' ')), weight: 1 }, { arbitrary: fc.string({ maxLength: 100 }), weight: 1 });
      const original = (await r.call('admin', 'GET', `${API}/approval-rules`)).body;
      let n = 0;
      let saved = 0;
      try {
        await fc.assert(
          fc.asyncProperty(condition, async (text) => {
            n++;
            const rules = { ...original, REQUEST_ACCESS: [{ title: 'fuzz', condition: text, steps: [] }, ...original.REQUEST_ACCESS] };
            const put = await r.call('dana', 'PUT', `${API}/approval-rules`, rules);
            noServerError(`PUT condition ${JSON.stringify(text)}`, put);
            if (put.status !== 200) {
              assert.equal(put.status, 400);
              return;
            }
            saved++;
            // The rule is an auto-approval: it may approve only when it evaluates to exactly true.
            const made = await r.call('alice', 'POST', `${API}/projects/shop/access-requests`, { databases: ['demo/sales'], statement: 'SELECT 1 AS one', duration: '1h', reason: 'cel' });
            noServerError(`request under ${JSON.stringify(text)}`, made);
            if (made.status === 201 && made.body.request.steps.length === 0) {
              const value = (() => {
                try {
                  return compileCondition('REQUEST_ACCESS', text)({
                    request: { unmask: false, data_export: false, expiration_seconds: 3600n, statement: 'SELECT 1 AS one' },
                    resource: { project_id: 'shop', environment_id: 'prod', instance_id: 'demo', db_engine: 'sqlite', database_name: 'sales', table_name: '' },
                  });
                } catch {
                  return 'error';
                }
              })();
              assert.equal(value, true, `auto-approved by ${JSON.stringify(text)}, which evaluates to ${String(value)}`);
            }
          }),
          params(200),
        );
      } finally {
        assert.equal((await r.call('admin', 'PUT', `${API}/approval-rules`, original)).status, 200);
      }
      countInputs('CEL rule texts (HTTP)', n);
      console.log(`      ${n} rule texts: ${saved} saved (type-checked), ${n - saved} refused`);
    });
  });

  it('a backslash in a SQLite string does not hide the tables a statement reads (masking and routing still see them)', async () => {
    const r = await startRel();
    try {
      // SQLite reads '\\' as a whole string; a parser that takes the backslash as an escape reads
      // the rest of the line as string content and sees no table at all.
      const statement = "SELECT '\\' AS a, email || '' AS e, salary + 0 AS s FROM employees LIMIT 2 -- '";
      const grant = await activeGrant(r, { databases: ['demo/hr'], statement });
      const run = await r.call('alice', 'POST', `${API}/grants/${grant.id}/run`, {});
      assert.equal(run.status, 200, JSON.stringify(run.body));
      assert.deepEqual(run.body.columns.map((c: any) => c.masked), [true, true, true], 'derived columns of a masked table read through a backslash string stay masked');
      for (const row of run.body.rows) assert.ok(!String(row[1]).includes('@'), `an email came back: ${row[1]}`);
      assert.deepEqual(checkStatement(statement, 'sqlite').tables, ['employees']);
      // Where the reading depends on the server's escape setting (MySQL, PostgreSQL), it is refused.
      assert.throws(() => checkStatement("SELECT '\\' AS a, email FROM employees -- '", 'mysql'), /string-escape setting/);
    } finally {
      await r.close();
    }
  });

  it('routeRequest: a condition that fails to evaluate never approves, whatever the context', () => {
    // Conditions that type-check but can fail at run time, each on an auto-approval rule.
    const failing = [
      'request.expiration_seconds / 0 == 1',
      'request.expiration_seconds % 0 == 0',
      'request.statement.matches("[")',
      '[1, 2][request.expiration_seconds] == 1',
      'request.expiration_seconds * 9223372036854775807 > 0',
      'int(request.statement) > 0',
      'resource.table_name.size() / (resource.table_name.size() - resource.table_name.size()) == 0',
    ].filter((c) => checkCondition('REQUEST_ACCESS', c) === undefined);
    assert.ok(failing.length >= 4, `conditions that type-check: ${failing.join(' | ')}`);
    const context = fc.record({
      request: fc.record({ unmask: fc.oneof(fc.boolean(), fc.jsonValue()), data_export: fc.boolean(), expiration_seconds: fc.oneof(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.integer(), fc.string()), statement: fc.oneof(fc.string(), fc.constant(undefined)) }, { requiredKeys: [] }),
      resource: fc.record({ table_name: fc.string(), environment_id: fc.string(), project_id: fc.string() }, { requiredKeys: [] }),
    }, { requiredKeys: [] });
    let n = 0;
    fc.assert(
      fc.property(fc.constantFrom(...failing), fc.array(context, { minLength: 1, maxLength: 3 }), (condition, contexts) => {
        n++;
        const rules = { REQUEST_ACCESS: [{ title: 'auto', condition, steps: [] }], REQUEST_ROLE: [] };
        let route;
        try {
          route = routeRequest(rules, 'REQUEST_ACCESS', contexts);
        } catch (err) {
          assert.fail(`routeRequest threw ${(err as Error).message}`);
        }
        const trueForAll = contexts.every((ctx) => {
          try {
            return compileCondition('REQUEST_ACCESS', condition)(ctx) === true;
          } catch {
            return false;
          }
        });
        if (!trueForAll) {
          assert.deepEqual(route.steps, [['workspaceAdmin']], `${condition} on ${JSON.stringify(contexts, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))}`);
        }
      }),
      params(500),
    );
    countInputs('CEL contexts (routeRequest)', n);
  });
});
