// Bytebase's DBHub, the peer the service is compared with (issue 21). It is not a dependency
// of the project: the benchmark installs it on first use into a cache under bench/results/tmp/
// (its optional drivers and cloud SDKs left out; `pg` named, since it is one of them) and
// starts it as its users do: `dbhub --transport http`, one PostgreSQL source whose
// execute_sql tool is read-only. Queries go the cheapest honest way, a stateless MCP
// `tools/call` over HTTP on a kept-alive socket, and the client parses the reply as an MCP
// client must (the JSON-RPC envelope, then the tool's JSON text).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { client } from './http.js';
import { TMP_ROOT } from './fixture.js';

const CACHE = join(TMP_ROOT, 'cache', 'dbhub');
const PACKAGE = join(CACHE, 'node_modules', '@bytebase', 'dbhub');

function run(command: string, args: string[], timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let output = '';
    const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-2000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** DBHub's entry point and version, installed if needed; or why it cannot be. */
export async function installDbhub(log: (message: string) => void): Promise<{ bin: string; version: string } | { unavailable: string }> {
  if (!existsSync(join(PACKAGE, 'package.json'))) {
    mkdirSync(CACHE, { recursive: true });
    log(`installing @bytebase/dbhub into ${CACHE}`);
    const npm = await run('npm', ['install', '--prefix', CACHE, '--no-audit', '--no-fund', '--omit=optional', '@bytebase/dbhub', 'pg'], 15 * 60_000);
    if (npm.code !== 0) return { unavailable: `npm install @bytebase/dbhub failed (exit ${npm.code}): ${npm.output.trim().split('\n').at(-1)}` };
  }
  const pkg = JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8')) as { version: string; bin: Record<string, string> };
  return { bin: join(PACKAGE, pkg.bin.dbhub), version: pkg.version };
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

export interface Dbhub {
  /** Runs one statement through execute_sql and returns its rows. */
  query(sql: string): Promise<unknown[]>;
  pid: number;
  stop(): Promise<void>;
}

export async function startDbhub(bin: string, dsn: string): Promise<Dbhub> {
  const config = join(CACHE, 'bench.toml');
  writeFileSync(config, `[[sources]]\nid = "bench"\ndsn = "${dsn}"\n\n[[tools]]\nname = "execute_sql"\nsource = "bench"\nreadonly = true\n`);
  const port = await freePort();
  const child = spawn(process.execPath, [bin, '--transport', 'http', '--port', String(port), '--config', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
      if (stderr.includes('MCP server endpoint at')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`dbhub exited ${code} before listening:\n${stderr}`)));
  });
  const mcp = client(`http://127.0.0.1:${port}`, '', { prefix: '', headers: { accept: 'application/json, text/event-stream' } });
  let id = 0;
  return {
    pid: child.pid!,
    async query(sql) {
      const reply = await mcp.json('POST', '/mcp', { jsonrpc: '2.0', id: ++id, method: 'tools/call', params: { name: 'execute_sql', arguments: { sql } } });
      const text = reply.body?.result?.content?.[0]?.text;
      if (reply.status !== 200 || typeof text !== 'string') throw new Error(`dbhub: HTTP ${reply.status} ${JSON.stringify(reply.body).slice(0, 300)}`);
      const result = JSON.parse(text) as { success?: boolean; data?: { rows?: unknown[] }; error?: unknown };
      if (!result.success || !Array.isArray(result.data?.rows)) throw new Error(`dbhub: ${text.slice(0, 300)}`);
      return result.data.rows;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
