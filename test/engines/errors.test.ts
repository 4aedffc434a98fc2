// Errors a user sees say what went wrong without connection details, driver internals or
// data values.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { EngineError, type Engine } from '../../server/engines/engine.js';
import { createMysqlEngine } from '../../server/engines/mysql.js';
import { createPostgresEngine } from '../../server/engines/postgres.js';
import { createSqliteEngine } from '../../server/engines/sqlite.js';
import { NO_MASKING } from '../support/run-scope.js';

const LIMITS = { timeoutMs: 20_000, maxRows: 100 };

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function engineError(work: Promise<unknown>): Promise<EngineError> {
  const error = await work.then(() => assert.fail('expected an error'), (e: unknown) => e);
  assert.ok(error instanceof EngineError, String(error));
  return error;
}

describe('engine errors', () => {
  for (const [name, make] of [
    ['postgres', (port: number) => createPostgresEngine({ url: `postgres://jit_reader:s3cret-pw@127.0.0.1:${port}` })],
    ['mysql', (port: number) => createMysqlEngine({ url: `mysql://jit_reader:s3cret-pw@127.0.0.1:${port}` })],
  ] as [string, (port: number) => Engine][]) {
    it(`${name}: a server that is down is unavailable, said without the URL`, async () => {
      const port = await closedPort();
      const engine = make(port);
      try {
        const error = await engineError(engine.query('shop', 'SELECT 1', LIMITS, NO_MASKING));
        assert.equal(error.kind, 'unavailable');
        for (const hidden of ['s3cret-pw', String(port), 'ECONNREFUSED', 'jit_reader']) assert.ok(!error.message.includes(hidden), error.message);
      } finally {
        await engine.close();
      }
    });
  }

  it('postgres: credentials the server refuses are unavailable, said without the password', async () => {
    const url = new URL(process.env.JIT_TEST_PG_URL ?? assert.fail('JIT_TEST_PG_URL is not set'));
    url.password = 'wrong-pw';
    const engine = createPostgresEngine({ url: url.toString() });
    try {
      const error = await engineError(engine.query('shop', 'SELECT 1', LIMITS, NO_MASKING));
      assert.equal(error.kind, 'unavailable');
      assert.ok(!error.message.includes('wrong-pw'));
    } finally {
      await engine.close();
    }
  });

  it('postgres: a value that fails a cast is not quoted in the error', async () => {
    const engine = createPostgresEngine({ url: process.env.JIT_TEST_PG_URL ?? assert.fail('JIT_TEST_PG_URL is not set') });
    try {
      const error = await engineError(engine.query('shop', 'SELECT email::int FROM employees', LIMITS, NO_MASKING));
      assert.equal(error.kind, 'invalid');
      assert.ok(!error.message.includes('example.com'), error.message);
      assert.match(error.message, /22P02/);
    } finally {
      await engine.close();
    }
  });
});

describe('busy sessions', () => {
  it('sqlite: waiting for a free worker counts against the time limit, and the worker is usable again after', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jit-sqlite-busy-'));
    const db = new Database(join(dir, 'one.sqlite'));
    db.exec('CREATE TABLE t (n INTEGER); INSERT INTO t VALUES (1), (2), (3)');
    db.close();
    const engine = createSqliteEngine({ dir, maxWorkers: 1, batchSize: 1 });
    try {
      const holding = await engine.open('one', 'SELECT n FROM t', { timeoutMs: 20_000, maxRows: 100 }, NO_MASKING);
      const error = await engineError(engine.query('one', 'SELECT 1', { timeoutMs: 300, maxRows: 10 }, NO_MASKING));
      assert.equal(error.kind, 'timeout');
      assert.match(error.message, /300ms/);
      await holding.close();
      assert.deepEqual((await engine.query('one', 'SELECT count(*) AS c FROM t', LIMITS, NO_MASKING)).rows, [[3]]);
    } finally {
      await engine.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
