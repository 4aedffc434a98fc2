// The PostgreSQL reading of the lexer and the engine's function allowlist check, without a
// server: the lexer must see what PostgreSQL sees (issue 13), and calls outside the allowlist
// are found whatever hides them.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineError } from '../../../server/engines/engine.js';
import { callsOutsideAllowlist } from '../../../server/engines/guard.js';
import { POSTGRES_FUNCTIONS } from '../../../server/engines/postgres-functions.js';
import { lex, type LexOptions } from '../../../lang/sql/lexer.js';
import { instanceDatabases, provisionCommand } from '../../../server/provision-command.js';
import { demoConfig } from '../../../server/demo/demo-config.js';

const PG: LexOptions[] = [
  { backslashEscapes: false, doubleQuotedStrings: false, dollarQuotes: true, postgres: true },
  { backslashEscapes: true, doubleQuotedStrings: false, dollarQuotes: true, postgres: true },
];
const KEYWORDS = new Set(['select', 'with', 'values', 'table']);
const calls = (sql: string) => callsOutsideAllowlist(sql, PG, KEYWORDS, POSTGRES_FUNCTIONS).map((c) => c.name);
const code = (sql: string) => lex(sql, PG[0]).filter((t) => t.kind !== 'comment').map((t) => t.text);

describe('PostgreSQL lexing (issue 13)', () => {
  it('nests block comments', () => {
    assert.deepEqual(code('/* a /* b */ c */ SELECT 1'), ['SELECT', '1']);
    assert.deepEqual(code("SELECT 1 /* /* */ ' */ , x --'"), ['SELECT', '1', ',', 'x']);
    assert.throws(() => lex('SELECT 1 /* /* */', PG[0]), /unterminated comment/);
  });

  it('ends a -- comment at a carriage return', () => {
    assert.deepEqual(code('SELECT 1 -- c\r, 2'), ['SELECT', '1', ',', '2']);
  });

  it('reads [ as an operator, not an identifier quote', () => {
    assert.deepEqual(code('SELECT ARRAY[1, f(2)]'), ['SELECT', 'ARRAY', '[', '1', ',', 'f', '(', '2', ')', ']']);
  });

  it("reads U&'…' and U&\"…\" as one token, and E'…' with backslash escapes", () => {
    assert.deepEqual(lex(`SELECT U&'\\0041', U&"d\\0061t"`, PG[0]).map((t) => t.kind), ['word', 'string', 'punct', 'quoted']);
    assert.deepEqual(code("SELECT E'\\'', x"), ['SELECT', 'E', "'\\''", ',', 'x']);
  });

  it('reads dollar quotes with non-ASCII tags', () => {
    assert.deepEqual(code('SELECT $é$ a $é$, x'), ['SELECT', '$é$ a $é$', ',', 'x']);
  });
});

describe('PostgreSQL function allowlist', () => {
  it('finds calls outside the allowlist wherever lexing could hide them', () => {
    assert.deepEqual(calls("SELECT 1 /* /* */ ' */ , pg_terminate_backend(1) --'"), ['pg_terminate_backend']);
    assert.deepEqual(calls('SELECT ARRAY[pg_cancel_backend(1)]'), ['pg_cancel_backend']);
    assert.deepEqual(calls("SELECT E'\\'', pg_advisory_lock(1) -- '"), ['pg_advisory_lock']);
    assert.deepEqual(calls('SELECT 1 -- x\r, set_config(1)'), ['set_config']);
    assert.deepEqual(calls('SELECT PG_SLEEP(1), "Upper"(x), pg_catalog.upper(x), public.upper(x)'), ['Upper', 'upper']);
  });

  it('lets allowlisted functions through, and reports alias lists only as candidates', () => {
    assert.deepEqual(calls("SELECT upper(name), count(*), coalesce(a, 'x') FROM t WHERE id IN (1) AND EXISTS (SELECT 1)"), []);
    assert.deepEqual(calls('SELECT * FROM customers AS c(a, b)'), ['c']);
  });

  it('refuses U&"…" names, several statements and non-queries', () => {
    assert.throws(() => calls('SELECT U&"\\0070g_sleep"(1)'), (e: unknown) => e instanceof EngineError && /Unicode-escaped/.test(e.message));
    assert.throws(() => calls('SELECT 1; SELECT 2'), /exactly one statement/);
    assert.throws(() => calls('/* /* */ SELECT 1 */ DELETE FROM t'), /read-only query/);
  });
});

describe('jit-server provision', () => {
  it('prints the SQL for every database of the instance, with its masking rules', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jit-provision-'));
    try {
      const config = demoConfig();
      config.instances.push({ id: 'pg', engine: 'postgres', url: 'postgres://svc:pw@127.0.0.1:9' });
      config.projects[0].databases.push({ name: 'pg/crm', environment: 'prod' });
      config.masking.push({ database: 'pg/crm', table: 'customers', column: 'email', algorithm: 'partial' });
      const file = join(dir, 'config.json');
      writeFileSync(file, JSON.stringify(config));
      assert.deepEqual(instanceDatabases(config, 'pg'), [{ name: 'crm', masking: [{ table: 'customers', column: 'email', algorithm: 'partial' }] }]);
      let out = '';
      assert.equal(await provisionCommand({ instance: 'pg', config: file, dataDir: join(dir, 'data') }, (t) => (out += t)), 0);
      assert.match(out, /\\connect "crm"\nBEGIN;/);
      assert.match(out, /jit_pg_crm_[0-9a-f]{8}_masked/);
      assert.match(out, /jit_pg_crm_[0-9a-f]{8}_unmask/);
      assert.match(out, /"column":"email"/);
      assert.match(out, /COMMIT;/);
      assert.doesNotMatch(out, /svc:pw/);
      await assert.rejects(provisionCommand({ instance: 'nope', config: file, dataDir: join(dir, 'data') }, () => undefined), /no instance "nope"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
