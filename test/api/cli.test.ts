// jit-server as a process: audit verify exit codes, --port 0 and SIGTERM, invalid configs, one
// service per data dir, a port in use.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { demoConfig } from '../../server/demo/demo-config.js';
import { runCli, startCli } from '../support/cli-process.js';
import { startHarness, testConfig } from '../support/harness.js';
import { requestAccess } from './helpers.js';

const start = startCli;
const cli = (args: string[]) => runCli(args);

const running = new Set<ReturnType<typeof start>>();

/** Starts the service on a free port and resolves once it prints its listening line. */
async function listen(args: string[]) {
  const child = start(['--port', '0', ...args]);
  running.add(child);
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = once(child, 'exit');
  const first = await Promise.race([
    once(createInterface({ input: child.stdout }), 'line') as Promise<[string]>,
    exited.then(() => assert.fail(`exited before listening: ${stderr}`)),
  ]);
  const url = new URL(JSON.parse(first[0]).url);
  return { child, port: Number(url.port), exited, stderr: () => stderr };
}

/** Every file under dir with its size, mtime and content, to show that nothing was written. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const file = join(dir, name);
    const stat = statSync(file);
    if (stat.isFile()) out[name] = `${stat.size} ${stat.mtimeMs} ${readFileSync(file).toString('base64')}`;
  }
  return out;
}

/** A config file with the demo's users and rules, edited. */
function configFile(dir: string, edit: (c: any) => void) {
  const c = JSON.parse(JSON.stringify(demoConfig()));
  c.users.forEach((u: any) => (u.token = `${u.id}-file-token`));
  edit(c);
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify(c));
  return file;
}

describe('jit-server (CLI)', function () {
  // Each case starts node with tsx, which takes seconds on a busy machine.
  this.timeout(90_000);
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'jit-cli-'))));
  afterEach(() => {
    for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    running.clear();
    rmSync(dir, { recursive: true, force: true });
  });

  it('audit verify: exit 0 with the entry count, exit 1 with the broken line', async () => {
    const h = await startHarness(testConfig(), { dataDir: dir });
    await requestAccess(h);
    await requestAccess(h);
    await h.close();

    const ok = await cli(['audit', 'verify', '--data-dir', dir]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(JSON.parse(ok.stdout), { event: 'audit.verified', file: join(dir, 'audit.jsonl'), entries: 2 });

    const file = join(dir, 'audit.jsonl');
    writeFileSync(file, readFileSync(file, 'utf8').replace('"ticket 42"', '"ticket 43"'));
    const broken = await cli(['audit', 'verify', '--data-dir', dir]);
    assert.equal(broken.code, 1);
    const line = JSON.parse(broken.stdout);
    assert.equal(line.event, 'audit.broken');
    assert.equal(line.line, 1);
    assert.equal(line.verifiedEntries, 0);
    assert.match(broken.stderr, /broken at line 1/);
  });

  it('a broken audit log: the start exits non-zero saying where and what to do; --accept-broken-audit-log starts, and verify then exits 0 listing the accepted break', async () => {
    const h = await startHarness(testConfig(), { dataDir: dir });
    await requestAccess(h);
    await h.close();
    const file = join(dir, 'audit.jsonl');
    const [first] = readFileSync(file, 'utf8').split('\n');
    writeFileSync(file, `${first}\n${first}\n`); // the second line duplicates the first

    const refused = await cli(['--port', '0', '--data-dir', dir]);
    assert.notEqual(refused.code, 0);
    assert.equal(refused.stdout, '');
    assert.match(refused.stderr, new RegExp(`audit log ${file} is broken at line 2: sequence number 1, expected 2 .*--accept-broken-audit-log`));
    assert.equal(readFileSync(file, 'utf8'), `${first}\n${first}\n`);

    const accepted = await listen(['--data-dir', dir, '--accept-broken-audit-log']);
    accepted.child.kill('SIGTERM');
    assert.equal((await accepted.exited)[0], 0);
    assert.match(accepted.stderr(), /broken at line 2: .*Accepted as asked/);
    const verified = await cli(['audit', 'verify', '--data-dir', dir]);
    assert.equal(verified.code, 0, verified.stderr);
    const out = JSON.parse(verified.stdout);
    assert.equal(out.event, 'audit.verified');
    assert.deepEqual(out.acceptedBreaks.map((b: any) => [b.line, b.acceptedAt]), [[2, 3]]);
    assert.match(verified.stderr, /the break at line 2 \(sequence number 1, expected 2 .*\) was accepted by the operator at line 3/);
  });

  it('audit verify: a data dir that does not exist, or holds no audit log, exits 2 saying so', async () => {
    const missing = await cli(['audit', 'verify', '--data-dir', join(dir, 'typo')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, new RegExp(`data directory ${join(dir, 'typo')} does not exist`));
    assert.equal(missing.stdout, '');
    const empty = await cli(['audit', 'verify', '--data-dir', dir]);
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, new RegExp(`no audit log in ${dir}`));
    assert.equal(empty.stdout, '');
  });

  it('--port 0 prints the listening line, serves, and exits 0 on SIGTERM, even with an events stream open', async () => {
    const child = start(['--port', '0', '--data-dir', dir]);
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = once(child, 'exit');
    const [first] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
    const listening = JSON.parse(first);
    assert.equal(listening.event, 'listening');
    assert.match(listening.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await fetch(`${listening.url}/healthz`);
    assert.deepEqual(await health.json(), { status: 'ok' });
    const me = await fetch(`${listening.url}/api/v1/me`, { headers: { authorization: 'Bearer alice-demo-token' } });
    assert.equal((await me.json()).user.id, 'alice');
    assert.match(stderr, /alice\s+alice-demo-token/);
    const events = await fetch(`${listening.url}/api/v1/events`, { headers: { authorization: 'Bearer bob-demo-token' } });
    assert.equal(events.status, 200);
    const stream = events.body!.getReader();
    await stream.read(); // ": connected"
    child.kill('SIGTERM');
    const [code] = await exited;
    assert.equal(code, 0, stderr);
    assert.match(stderr, /SIGTERM: draining requests/);
    await stream.cancel().catch(() => undefined);
  });

  it('an invalid config file exits non-zero naming the JSON path of the bad field', async () => {
    const file = configFile(dir, (c) => (c.users[0].workspaceRole = 'root'));
    const result = await cli(['--config', file, '--port', '0', '--data-dir', join(dir, 'data')]);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /\$\.users\[0\]\.workspaceRole/);
    assert.equal(result.stdout, '', 'it never started');
  });

  it('a config with a bad approval rule exits non-zero naming the rule and position', async () => {
    const file = configFile(dir, (c) => (c.approvalRules.REQUEST_ACCESS[1].condition = 'resource.environment == "prod"'));
    const result = await cli(['--config', file, '--port', '0', '--data-dir', join(dir, 'data')]);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /REQUEST_ACCESS rule 2 \("Reads in prod need the project owner"\): No such key: environment at line 1, column 10/);
    assert.equal(result.stdout, '');
  });

  it('a config file that is not JSON, or missing, exits non-zero with the reason', async () => {
    const file = join(dir, 'config.json');
    writeFileSync(file, '{ "users": [ }');
    const notJson = await cli(['--config', file, '--data-dir', join(dir, 'data')]);
    assert.notEqual(notJson.code, 0);
    assert.match(notJson.stderr, /is not valid JSON/);
    const missing = await cli(['--config', join(dir, 'nope.json'), '--data-dir', join(dir, 'data')]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /cannot read config/);
  });

  it('a second service on the same data dir is refused, names the first (pid, port) and writes nothing; after a clean stop it starts', async () => {
    const data = join(dir, 'data');
    const first = await listen(['--data-dir', data]);
    const before = snapshot(data);
    assert.ok(Object.keys(before).includes('audit.jsonl'));
    const second = await cli(['--port', '0', '--data-dir', data]);
    assert.notEqual(second.code, 0);
    assert.equal(second.stdout, '', 'it never listened');
    assert.match(second.stderr, new RegExp(`data directory ${data} is in use by another jit-server \\(pid ${first.child.pid}, listening on 127\\.0\\.0\\.1:${first.port}, started `));
    assert.deepEqual(snapshot(data), before, 'no file in the data dir changed');

    first.child.kill('SIGTERM');
    assert.equal((await first.exited)[0], 0);
    assert.ok(!existsSync(join(data, 'service.json')), 'a clean stop leaves no holder behind');
    const again = await listen(['--data-dir', data]);
    again.child.kill('SIGTERM');
    assert.equal((await again.exited)[0], 0, again.stderr());
  });

  it('a service killed with SIGKILL does not block its restart', async () => {
    const first = await listen(['--data-dir', dir]);
    first.child.kill('SIGKILL');
    await first.exited;
    const again = await listen(['--data-dir', dir]);
    assert.equal(JSON.parse(readFileSync(join(dir, 'service.json'), 'utf8')).pid, again.child.pid);
    again.child.kill('SIGTERM');
    assert.equal((await again.exited)[0], 0, again.stderr());
  });

  it('a port in use exits non-zero suggesting --port, and lets go of the data dir', async () => {
    const taken = createServer();
    taken.listen(0, '127.0.0.1');
    await once(taken, 'listening');
    const port = (taken.address() as { port: number }).port;
    try {
      const result = await cli(['--port', String(port), '--data-dir', dir]);
      assert.notEqual(result.code, 0);
      assert.match(result.stderr, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is in use.*start with --port N`));
      assert.equal(result.stdout, '');
      assert.ok(!existsSync(join(dir, 'service.json')), 'the data dir lock was released');
    } finally {
      taken.close();
    }
  });
});
