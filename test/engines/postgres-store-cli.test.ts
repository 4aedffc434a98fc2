// jit-server with --store: starting on PostgreSQL (flag or config file), audit verify --store,
// provision --store, and the refusals.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { provisionCommand } from '../../server/provision-command.js';
import { stateFromConfig } from '../../server/store/config-store.js';
import { openPostgresStores } from '../../server/store/postgres/stores.js';
import { runCli } from '../support/cli-process.js';
import { testConfig } from '../support/harness.js';
import { scratchDatabase, type ScratchDatabase } from '../support/pg-store.js';

const cli = (args: string[]) => runCli(args, 'SIGTERM');

async function query<R>(url: string, sql: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as R[];
  } finally {
    await client.end();
  }
}

describe('jit-server --store', () => {
  let db: ScratchDatabase;
  let dir: string;
  beforeEach(async () => {
    db = await scratchDatabase();
    dir = mkdtempSync(join(tmpdir(), 'jit-store-cli-'));
  });
  afterEach(async () => {
    rmSync(dir, { recursive: true, force: true });
    await db.drop();
  });

  it('starts on the store given by --store, keeps nothing of it in the data dir, and audit verify --store checks its chain', async () => {
    const started = await cli(['--store', db.url, '--port', '0', '--data-dir', join(dir, 'data')]);
    assert.equal(started.code, 0, started.stderr);
    assert.match(started.stderr, /applied schema migrations 1 to postgres:\/\/jit_admin:\*\*\*@/);
    assert.doesNotMatch(started.stderr, /admin-pw/, 'the password is never printed');
    const [{ n }] = await query<{ n: number }>(db.url, 'SELECT count(*)::int AS n FROM config_state');
    assert.equal(n, 1, 'the demo configuration seeded the store');
    for (const file of ['state.json', 'ledger.sqlite', 'audit.jsonl', 'identity.key']) assert.ok(!existsSync(join(dir, 'data', file)), file);

    await query(db.url, `INSERT INTO audit_entries (seq, time, actor, action, txn, line) VALUES (1, 0, 'x', 'y', false, '{"seq":1}')`);
    const verified = await cli(['audit', 'verify', '--store', db.url]);
    assert.equal(verified.code, 1, verified.stderr);
    assert.equal(JSON.parse(verified.stdout).event, 'audit.broken');
    assert.equal(JSON.parse(verified.stdout).line, 1);
    await query(db.url, 'DELETE FROM audit_entries');
    const empty = await cli(['audit', 'verify', '--store', db.url]);
    assert.equal(empty.code, 0, empty.stderr);
    assert.deepEqual(JSON.parse(empty.stdout), { event: 'audit.verified', store: db.url.replace('admin-pw', '***'), entries: 0 });
  });

  it('takes store.url from the config file, and --store wins over it', async () => {
    const file = join(dir, 'jit.json');
    const other = await scratchDatabase();
    try {
      writeFileSync(file, JSON.stringify({ ...testConfig(), store: { url: other.url } }));
      const fromFile = await cli(['--config', file, '--port', '0', '--data-dir', join(dir, 'a')]);
      assert.equal(fromFile.code, 0, fromFile.stderr);
      const stored = await query<{ doc: string }>(other.url, 'SELECT doc FROM config_state');
      assert.equal(JSON.parse(stored[0].doc).store, undefined, "the store's URL (and its password) is not kept in the state");
      const fromFlag = await cli(['--config', file, '--store', db.url, '--port', '0', '--data-dir', join(dir, 'b')]);
      assert.equal(fromFlag.code, 0, fromFlag.stderr);
      assert.equal((await query(db.url, 'SELECT 1 FROM config_state')).length, 1);
    } finally {
      await other.drop();
    }
  });

  it('refuses a store URL that is not PostgreSQL, and a verify on a store no service started on', async () => {
    const bad = await cli(['--store', 'mysql://u:p@127.0.0.1/db', '--port', '0', '--data-dir', join(dir, 'data')]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--store must be a postgres:\/\/user:password@host:port\/database URL, got "mysql:\/\/u:\*\*\*@127\.0\.0\.1\/db"/);
    const fresh = await cli(['audit', 'verify', '--store', db.url]);
    assert.equal(fresh.code, 2);
    assert.match(fresh.stderr, /no service has started on the store postgres:\/\/jit_admin:\*\*\*@.* \(it has no schema\); check --store/);
  });

  it('provision --store prints the passwords the service on that store logs in with', async () => {
    const config = testConfig((c) => {
      c.instances.push({ id: 'pg', engine: 'postgres', url: 'postgres://svc:pw@127.0.0.1:9' });
      c.projects[0].databases.push({ name: 'pg/crm', environment: 'prod' });
    });
    const stores = await openPostgresStores(db.url, () => stateFromConfig(config), () => undefined);
    try {
      let out = '';
      assert.equal(await provisionCommand({ instance: 'pg', dataDir: join(dir, 'data'), store: db.url }, (t) => (out += t)), 0);
      const passwords = JSON.parse(/passwords constant jsonb := '(\{[^']*\})'/.exec(out)![1]) as Record<string, string>;
      assert.equal(Object.keys(passwords).length, 2);
      for (const [identity, password] of Object.entries(passwords)) assert.equal(password, stores.secrets.password('pg', identity));
    } finally {
      await stores.close();
    }
  });
});
