// jit-server as a process: audit verify exit codes, --port 0 and SIGTERM, invalid configs.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { demoConfig } from '../../server/demo/demo-config.js';
import { startHarness, testConfig } from '../support/harness.js';
import { requestAccess } from './helpers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function start(args: string[]) {
  return spawn(process.execPath, ['--import', 'tsx/esm', 'server/cli.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs the CLI to its end. */
async function cli(args: string[]) {
  const child = start(args);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const [code] = await once(child, 'exit');
  return { code: code as number, stdout, stderr };
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
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

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
});
