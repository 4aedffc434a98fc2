// One service per data dir, for services opened in-process (the tests' way, and any embedder's).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openService } from '../../server/service.js';
import { DataDirLockedError } from '../../server/store/data-dir-lock.js';
import { startHarness, testConfig } from '../support/harness.js';

describe('data dir lock (in-process)', () => {
  it('a second service on the same data dir is refused until the first is closed; other dirs are not affected', async () => {
    const h = await startHarness();
    const other = await startHarness();
    try {
      const auditBefore = readFileSync(join(h.dataDir, 'audit.jsonl'));
      const second = openService({ dataDir: h.dataDir, seed: testConfig, seedDir: h.dataDir });
      await assert.rejects(second, (err: unknown) => {
        assert.ok(err instanceof DataDirLockedError);
        assert.match(err.message, new RegExp(`data directory ${h.dataDir} is in use by another jit-server \\(pid ${process.pid}, not listening yet`));
        return true;
      });
      assert.deepEqual(readFileSync(join(h.dataDir, 'audit.jsonl')), auditBefore);
      assert.equal((await other.json('alice', 'GET', '/api/v1/me')).status, 200, 'a service on another dir runs beside it');
      await h.restart(); // close() lets go, so the same dir opens again
      assert.equal((await h.json('alice', 'GET', '/api/v1/me')).status, 200);
    } finally {
      await h.close();
      await other.close();
    }
  });
});
