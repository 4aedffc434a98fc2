// Secrets: tokens are stored hashed and compared in constant time, and no token, password,
// URL credential or masked value appears in anything the service said during the whole suite
// (child stdout/stderr, error bodies, audit logs, state files). Named zz- so it runs last
// (the suite's mocha config sorts files), over what every other file collected.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { hashToken } from '../../server/store/config-store.js';
import { ROOT } from './support/child.js';
import { API, startRel, TOKENS, type Rel } from './support/inproc.js';
import { figures, inputsTried, outputs, record, secrets } from './support/outputs.js';

describe('secrets', () => {
  let r: Rel;
  before(async () => (r = await startRel()));
  after(async () => r.close());

  it('state.json holds only SHA-256 hashes of the tokens', () => {
    const text = readFileSync(join(r.h.dataDir, 'state.json'), 'utf8');
    record('in-process state.json', text);
    const state = JSON.parse(text);
    for (const user of state.users) {
      assert.equal(user.token, undefined);
      assert.equal(user.tokenHash, hashToken(TOKENS[user.id]));
    }
    for (const token of Object.values(TOKENS)) assert.ok(!text.includes(token));
  });

  it('tokens are compared in constant time: every user, every time, equal-length hashes, no early exit', async () => {
    const original = crypto.timingSafeEqual;
    const calls: number[][] = [];
    crypto.timingSafeEqual = ((a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => {
      calls[calls.length - 1].push(a.byteLength, b.byteLength);
      return original(a, b);
    }) as typeof crypto.timingSafeEqual;
    syncBuiltinESMExports();
    try {
      const users = (await r.h.service.deps.config.read()).users.length;
      for (const token of [TOKENS.alice, TOKENS.admin, 'x', 'wrong-token-of-the-same-length', 'a'.repeat(512)]) {
        calls.push([]);
        await r.h.service.app.request(`${API}/me`, { headers: { authorization: `Bearer ${token}` } });
        const lengths = calls[calls.length - 1];
        assert.equal(lengths.length / 2, users, `${users} comparisons for every token, found or not`);
        assert.ok(lengths.every((n) => n === 32), 'only 32-byte hashes are compared, so the length of a guess tells nothing');
      }
    } finally {
      crypto.timingSafeEqual = original;
      syncBuiltinESMExports();
    }
  });

  it('no token, password, URL credential or masked value in any output of the suite', async () => {
    // A few calls that could echo secrets back if the service were careless.
    const echo = [
      await r.call(null, 'GET', `${API}/me`),
      await r.raw('alice', 'GET', `${API}/me`, undefined, { authorization: `Bearer ${TOKENS.alice}x` }).then(async (res) => ({ status: res.status, body: await res.text() })),
      await r.call('alice', 'POST', `${API}/projects/shop/access-requests`, { databases: ['pg/none'], statement: 'SELECT 1', duration: '1h', reason: 'x' }),
    ];
    for (const e of echo) record('echo probe', typeof e.body === 'string' ? e.body : JSON.stringify(e.body));

    // Masked values: every email, phone and SSN of the demo's HR table.
    const hr = new Database(join(r.h.dataDir, 'demo-data', 'hr.sqlite'), { readonly: true });
    const masked = new Set<string>();
    for (const row of hr.prepare('SELECT email, phone, ssn FROM employees').all() as Record<string, string>[]) {
      masked.add(row.email);
      masked.add(row.phone);
      masked.add(row.ssn);
    }
    hr.close();
    const candidates = /[a-z.]+\d+@example\.com|\+1-555-\d{3}-\d{4}|\b\d{3}-\d{2}-\d{4}\b/g;

    if (!process.env.JIT_RELIABILITY_SPEC) assert.ok(outputs.length >= 20, `outputs collected: ${outputs.length}`);
    if (!process.env.JIT_RELIABILITY_SPEC) assert.ok(outputs.some((o) => o.source.includes('crash service stderr')), 'the crash runs were collected');
    const leaks: string[] = [];
    let bytes = 0;
    for (const o of outputs) {
      bytes += o.text.length;
      // state.json is the service's configuration store (like the config file, it holds instance
      // URLs); only tokens must never be in it.
      const storage = o.source.endsWith('state.json');
      for (const [secret, what] of secrets) if (o.text.includes(secret) && (!storage || what.startsWith('token'))) leaks.push(`${what} in ${o.source}`);
      if (storage) continue;
      if (/internal error|"code":"INTERNAL"/.test(o.text)) leaks.push(`an internal error in ${o.source}: ${o.text.slice(0, 300)}`);
      for (const m of o.text.match(/[a-z][a-z0-9+.-]*:\/\/[^/\s:@"]+:[^@\s"]+@/gi) ?? []) leaks.push(`URL credentials ${m} in ${o.source}`);
      for (const m of o.text.match(candidates) ?? []) if (masked.has(m)) leaks.push(`masked value ${m} in ${o.source}`);
      if (/\bat [\w.<>]+ \(.*:\d+:\d+\)/.test(o.text) && !o.source.includes('stderr')) leaks.push(`a stack trace in ${o.source}`);
    }
    assert.deepEqual([...new Set(leaks)], [], 'leaks (or internal errors) in what the service said');
    figures.outputsScanned = outputs.length;
    figures.outputBytesScanned = bytes;
    figures.secretsChecked = secrets.size + masked.size;

    const inputs = Object.fromEntries(inputsTried);
    const total = [...inputsTried.values()].reduce((a, b) => a + b, 0);
    const dir = join(ROOT, 'test-output', 'reliability');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'figures.json'), `${JSON.stringify({ ...figures, inputsTried: inputs, inputsTotal: total }, null, 2)}\n`);
    console.log(`      scanned ${outputs.length} outputs (${Math.round(bytes / 1024)} KiB) for ${secrets.size} secrets and ${masked.size} masked values`);
    console.log(`      figures: ${JSON.stringify({ ...figures, inputsTotal: total })}`);
    console.log(`      inputs tried: ${JSON.stringify(inputs)}`);
  });
});
