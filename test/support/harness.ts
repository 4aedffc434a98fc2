// Runs the whole service in-process on a temporary data dir with a fake clock, and gives
// tests small helpers to call it as one user or another (app.request, no port, no sleep).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../../server/config/schema.js';
import { demoConfig, DEMO_TOKENS } from '../../server/demo/demo-config.js';
import { seedDemoDatabases } from '../../server/demo/seed.js';
import { openService, type Service } from '../../server/service.js';
import { FakeClock } from './fake-clock.js';
import { scratchDatabase, storeAuditLines } from './pg-store.js';

export type DemoUser = keyof typeof DEMO_TOKENS;

export interface Harness {
  service: Service;
  clock: FakeClock;
  dataDir: string;
  /** Calls the API as `user` (or anonymously with null); JSON bodies are serialized. */
  call(user: DemoUser | null, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  /** Like call, but also parses the JSON body. */
  json<T = any>(user: DemoUser | null, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** Moves the clock and waits until the expiry scheduler has recorded everything due. */
  advance(ms: number): Promise<void>;
  auditLines(): any[];
  /** Closes the service and opens it again on the same data dir (a restart). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** A demo-like config for tests: short minimum duration, no export/unmask shortcuts. */
export function testConfig(edit?: (c: Config) => void): Config {
  const config = demoConfig();
  config.workspace.minGrantDuration = '1s';
  edit?.(config);
  return config;
}

export async function startHarness(config: Config = testConfig(), options: { dataDir?: string; clock?: FakeClock } = {}): Promise<Harness> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'jit-test-'));
  const clock = options.clock ?? new FakeClock();
  seedDemoDatabases(join(dataDir, 'demo-data'));
  // JIT_TEST_STORE=pg runs the service on a fresh PostgreSQL store (under test/setup/db-servers.sh).
  const store = process.env.JIT_TEST_STORE === 'pg' ? await scratchDatabase() : undefined;
  const open = () => openService({ dataDir, seed: () => config, seedDir: dataDir, clock, store: store?.url, auth: config.auth });
  let service = await open();

  const call: Harness['call'] = (user, method, path, body, headers = {}) => {
    const h: Record<string, string> = { ...headers };
    if (user) h.authorization = `Bearer ${DEMO_TOKENS[user]}`;
    let payload: string | undefined;
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      h['content-type'] ??= 'application/json';
    }
    return Promise.resolve(service.app.request(path, { method, headers: h, body: payload }));
  };

  return {
    get service() {
      return service;
    },
    clock,
    dataDir,
    call,
    async json(user, method, path, body) {
      const res = await call(user, method, path, body);
      return { status: res.status, body: await res.json() };
    },
    async advance(ms) {
      // The timer a change just asked for is armed first: with a store over the network the
      // scheduler may still be reading its next deadline when the call that made the change
      // has answered.
      await service.scheduler.idle();
      clock.advance(ms);
      await service.scheduler.idle();
    },
    auditLines() {
      if (store) return storeAuditLines(store.url);
      const text = readFileSync(join(dataDir, 'audit.jsonl'), 'utf8');
      return text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    },
    async restart() {
      await service.close();
      service = await open();
    },
    async close() {
      await service.close();
      await store?.drop();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Approves every step of a just-created request, in order: bob (the project owner) the first,
 * dana (a DBA) the second, as the demo's rules ask. Returns the request's grant id.
 */
export async function approveAllSteps(h: Harness, created: { request: { id: string; steps: unknown[] }; grant: { id: string } }): Promise<string> {
  const approvers: DemoUser[] = ['bob', 'dana'];
  for (const approver of approvers.slice(0, created.request.steps.length)) {
    const r = await h.json(approver, 'POST', `/api/v1/requests/${created.request.id}/approve`, {});
    if (r.status !== 200) throw new Error(`${approver} could not approve: ${JSON.stringify(r.body)}`);
  }
  return created.grant.id;
}

