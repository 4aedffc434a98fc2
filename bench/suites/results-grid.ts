// 7. Results grid: the results page in real VS Code (code-server + chromium, as the UI suite),
// showing a grant's result of 1,000 / 10,000 / 100,000 rows. Measured inside the webview: from
// the results message arriving (event.timeStamp, before its rows are deserialized) to the frame
// that paints the grid's first rows (performance marks in webview/results.ts), the rows in the
// DOM, and frame times while the grid scrolls through the result once all rows arrived.
import fs from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { shortId } from '../../extension/core/grant-labels.js';
import { approveAll, client, DATABASES, requestAccess, USERS } from '../../test/vscode/kit/api.js';
import { CACHE, launchChromium, startCodeServer, workbenchUrl } from '../../test/vscode/kit/code-server.js';
import { startService } from '../../test/vscode/kit/service.js';
import { waitFor } from '../../test/vscode/kit/wait.js';
import { makeWorkspace } from '../../test/vscode/kit/workspace.js';
import { activeWebview, openContainer, quickInput, runCommand } from '../../test/ui/workbench.js';
import { ms } from '../lib/format.js';
import { median, summarize } from '../lib/stats.js';
import { outcome, type Suite } from '../lib/suite.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SIZES = [1_000, 10_000, 100_000];
/** First rows on screen within this is "at once" (a 100 ms response feels immediate). */
const FIRST_PAINT_GOAL_MS = 100;
/** One frame at 60 Hz, with some slack for a shared machine: smooth scrolling. */
const FRAME_GOAL_MS = 20;

/** A table that looks like real results: numbers, text, dates, JSON, NULLs. */
function seedWide(db: import('better-sqlite3').Database): void {
  db.exec(`CREATE TABLE wide (id INTEGER PRIMARY KEY, customer TEXT, city TEXT, amount REAL, ordered_at TEXT, status TEXT, notes TEXT, payload TEXT)`);
  const insert = db.prepare('INSERT INTO wide VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  const cities = ['Lisbon', 'Oslo', 'Kyoto', 'Lima', 'Accra', 'Perth'];
  db.transaction(() => {
    for (let i = 1; i <= SIZES[SIZES.length - 1]!; i++) {
      insert.run(i, `Customer ${i}`, cities[i % cities.length], (i * 37) % 10_000 / 100, new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString(), i % 3 ? 'shipped' : 'open',
        i % 7 ? `note for order ${i}` : null, JSON.stringify({ sku: `SKU-${i % 500}`, qty: i % 9, tags: ['a', 'b'] }));
    }
  })();
}

interface Sample {
  rows: number;
  firstPaintMs: number;
  /** Until the last rows message was added to the grid. */
  allRowsMs: number;
  domRows: number;
  /** rAF-to-rAF intervals while scrolling, ms. */
  frames: number[];
}

/**
 * Runs in the webview. Written as text and made a function here: tsx would wrap the inner
 * functions in a naming helper (__name) that does not exist in the page.
 */
const IN_PAGE = new Function(`return async (_body, frames) => {
  const last = (name) => performance.getEntriesByName(name).at(-1)?.startTime ?? NaN;
  const firstPaintMs = last('results.painted') - last('results.received');
  // Only results longer than the first message have a "complete" mark.
  const allRowsMs = last('results.complete') > last('results.received') ? last('results.complete') - last('results.received') : firstPaintMs;
  const grid = document.querySelector('[role="grid"]');
  const domRows = grid.querySelectorAll('.grid-canvas [role="row"]:not([hidden])').length;
  // Scroll a screenful per frame (a fast fling), so every frame brings new rows.
  const step = grid.clientHeight;
  const deltas = await new Promise((resolve) => {
    const out = [];
    let prev = 0;
    const tick = (t) => {
      if (prev) out.push(t - prev);
      prev = t;
      grid.scrollTop += step;
      if (out.length < frames) requestAnimationFrame(tick);
      else resolve(out);
    };
    requestAnimationFrame(tick);
  });
  return { firstPaintMs, allRowsMs, domRows, frames: deltas };
}`)() as (body: Element, frames: number) => Promise<Omit<Sample, 'rows'>>;

/**
 * Runs the grant and measures its page. `before`: paints that page already had (each grant has
 * its own results page, reused when the grant runs again).
 */
async function measure(page: Page, view: () => FrameLocator, grantId: string, rows: number, before: number, scrollFrames: number): Promise<Sample> {
  const painted = async () => view().locator('body').evaluate(() => performance.getEntriesByName('results.painted').length).catch(() => 0);
  const label = `#${shortId(grantId)}`;
  // On a busy machine the picker sometimes opens before its input takes keys: try again.
  await waitFor(async () => {
    await runCommand(page, 'JIT Access: Run Grant');
    const picked = await quickInput(page).fill(label, { timeout: 10_000 })
      .then(() => page.locator('.quick-input-list .monaco-list-row.focused', { hasText: label }).waitFor({ timeout: 10_000 }))
      .then(() => true, () => false);
    if (!picked) await page.keyboard.press('Escape');
    return picked;
  }, { timeoutMs: 180_000, intervalMs: 1_000, what: `${label} in the Run Grant picker` });
  await page.keyboard.press('Enter');
  await waitFor(async () => (await painted()) > before, { timeoutMs: 120_000, intervalMs: 100, what: `the grid of ${rows} rows to paint` });
  await view().locator('.grid-count', { hasText: /^[\d,]+ rows$/ }).waitFor({ timeout: 120_000 });
  return view().locator('body').evaluate(IN_PAGE, scrollFrames).then((s) => ({ rows, ...s }));
}

export const resultsGridSuite: Suite = {
  name: 'results-grid',
  title: 'Results grid',
  unavailable: fs.existsSync(path.join(CACHE, 'code-server/node_modules/code-server/out/node/entry.js')) ? undefined : 'code-server is not installed (bash test/setup/install-vscode.sh)',
  async run(ctx) {
    const out = outcome();
    if (ctx.quick) {
      // Starting VS Code alone took 3 minutes in a smoke run here; the UI suite drives the same page.
      out.rows.push({ measure: 'results grid in VS Code', result: 'skipped in --quick', goal: '', status: 'not measured' });
      return out;
    }
    const loadAtStart = loadavg()[0]!;
    const sizes = SIZES;
    const samplesPerSize = 3;
    await run(process.execPath, ['scripts/build.mjs', 'extension', 'webview'], { cwd: ROOT });
    const service = await startService({ workspace: { maxResultRows: SIZES[SIZES.length - 1] }, seed: seedWide });
    const workspace = makeWorkspace(service.url);
    const cs = await startCodeServer({ extensions: [ROOT], env: { JIT_ACCESS_TOKEN: USERS.alice.token } });
    const browser = await launchChromium(cs);
    try {
      const grants = new Map<number, string>();
      for (const rows of sizes) {
        const { request, grant } = await requestAccess(service.url, 'alice', { databases: [DATABASES[0]], statement: `SELECT * FROM wide WHERE id <= ${rows} ORDER BY id` });
        await approveAll(service.url, request.id, ['bob']);
        const active = await client(service.url, 'alice').get<{ state: string }>(`/grants/${grant.id}`);
        if (active.state !== 'ACTIVE') throw new Error(`grant for ${rows} rows is ${active.state}`);
        grants.set(rows, grant.id);
      }
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      page.setDefaultTimeout(60_000);
      await page.goto(workbenchUrl(cs, workspace), { timeout: 120_000 });
      await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
      // The grants tree shows once the extension has signed in and loaded the grants.
      await openContainer(page, 'Just-In-Time Access');
      await page.locator('.part.sidebar .monaco-list-row', { hasText: /left/ }).first().waitFor({ timeout: 120_000 });
      const samples: Sample[] = [];
      for (const rows of sizes) {
        for (let i = 0; i < samplesPerSize; i++) {
          const sample = await measure(page, () => activeWebview(page), grants.get(rows)!, rows, i, 120);
          ctx.log(`${rows} rows: first paint ${ms(sample.firstPaintMs)}, ${sample.domRows} rows in the DOM, scroll frame p50 ${ms(median(sample.frames))}`);
          samples.push(sample);
        }
      }
      out.data.samples = samples;
      for (const rows of sizes) {
        const mine = samples.filter((s) => s.rows === rows);
        const paint = median(mine.map((s) => s.firstPaintMs));
        const frames = summarize(mine.flatMap((s) => s.frames));
        const p95 = [...mine.flatMap((s) => s.frames)].sort((a, b) => a - b)[Math.ceil(0.95 * frames.n) - 1]!;
        const label = rows.toLocaleString('en-US');
        out.rows.push({
          measure: `${label} rows: results message → first rows painted`,
          result: `${ms(paint)} (median of ${mine.length}; all rows in the grid after ${ms(median(mine.map((s) => s.allRowsMs)))}; ${Math.max(...mine.map((s) => s.domRows))} rows in the DOM of ${label})`,
          goal: `< ${FIRST_PAINT_GOAL_MS} ms`,
          status: paint < FIRST_PAINT_GOAL_MS ? 'met' : 'missed',
        });
        out.rows.push({
          measure: `${label} rows: frame time scrolling a screenful per frame`,
          result: `p50 ${ms(frames.p50)} · p95 ${ms(p95)} · max ${ms(frames.max)} over ${frames.n} frames`,
          goal: `p95 ≤ ${FRAME_GOAL_MS} ms`,
          status: p95 <= FRAME_GOAL_MS ? 'met' : 'missed',
        });
      }
      out.notes.push(
        'Measured in the webview of real VS Code (code-server 4.139, headless chromium) with performance marks: from the message event\'s ' +
          'timeStamp (before its rows are deserialized) to the animation frame that paints the rendered rows. The host sends the first ' +
          '200 rows alone and the rest in messages of 10,000, so this is the time to the first screenful whatever the size. Running the ' +
          'statement and sending the result to the page come before and are not counted. Frame times are ' +
          'requestAnimationFrame intervals while the grid scrolls one screen per frame; on this machine (2 cores shared with other busy ' +
          'agents) they include waits for a core.',
        `Load average (1 min) on this 2-core machine: ${loadAtStart.toFixed(1)} when the suite started, ${loadavg()[0]!.toFixed(1)} when it ` +
          'finished; the machine was never idle during this work, so how much of each miss is waiting for a core was not separated. ' +
          'What does not depend on the load: the grid holds the same rows in the DOM at every size (the count above), so a frame ' +
          'scrolled a screenful re-fills those rows (about 35 × 9 cells) whatever the size, and chromium, headless without a GPU, ' +
          'rasterizes the whole view in software. The 1,000-row result reaches its end after about 30 frames, so most of its frames ' +
          'scroll nothing (hence its 16.7 ms p50). The first paint does not grow with the size: it is the page build (toolbar ' +
          'components, header, the first 200 rows); "all rows in the grid" does, as the rest arrive 10,000 at a time, each batch ' +
          'after the previous frame painted.',
      );
    } finally {
      await browser.close().catch(() => {});
      await cs.stop();
      await service.stop();
      fs.rmSync(workspace, { recursive: true, force: true });
    }
    return out;
  },
};
