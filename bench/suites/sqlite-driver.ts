// The SQLite engine's driver (@photostructure/sqlite, chosen for SQLite's authorizer) against
// better-sqlite3 (no authorizer), reading 100,000 rows × 10 columns in the same process,
// sampled alternately; and the same read through masking views with 2 of the 10 columns
// masked (a registered function per masked value, in SQLite).
import Database from 'better-sqlite3';
import { DatabaseSync } from '@photostructure/sqlite';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteSession } from '../../server/engines/sqlite-session.js';
import { TMP_ROOT } from '../lib/fixture.js';
import { ms, p50p99, ratio } from '../lib/format.js';
import { interleave, summarize } from '../lib/stats.js';
import { against, outcome, type Suite } from '../lib/suite.js';

const SQL = 'SELECT * FROM t';

export const sqliteDriver: Suite = {
  name: 'sqlite-driver',
  title: 'SQLite driver: @photostructure/sqlite against better-sqlite3',
  async run(ctx) {
    const out = outcome();
    const rows = ctx.quick ? 10_000 : 100_000;
    const dir = join(TMP_ROOT, 'sqlite-driver');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'wide.sqlite');
    rmSync(file, { force: true });
    const w = new Database(file);
    w.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b TEXT, c INTEGER, d REAL, e TEXT, g INTEGER, h TEXT, i REAL, j TEXT)');
    const insert = w.prepare('INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    w.transaction(() => {
      for (let k = 1; k <= rows; k++) insert.run(k, `name-${k}`, `user${k}@example.com`, k * 7, k / 3, 'x'.repeat(20), k % 100, '2024-01-02', k * 1.5, `note ${k}`);
    })();
    w.close();
    const better = new Database(file, { readonly: true });
    const photo = new DatabaseSync(file, { readOnly: true });
    const masked = new SqliteSession(file, [
      { table: 't', column: 'b', algorithm: 'partial' },
      { table: 't', column: 'j', algorithm: 'md5' },
    ]);
    const count = (iterable: Iterable<unknown>) => {
      let n = 0;
      for (const _ of iterable) n++;
      if (n !== rows) throw new Error(`read ${n} rows, expected ${rows}`);
    };
    try {
      ctx.log(`${rows} rows × 10 columns`);
      const samples = await interleave(
        {
          better: () => count(better.prepare(SQL).raw(true).safeIntegers(true).iterate()),
          photo: () => {
            const s = photo.prepare(SQL);
            s.setReturnArrays(true);
            s.setReadBigInts(true);
            count(s.iterate());
          },
          masked: () => {
            const { statement } = masked.prepare(SQL);
            statement.setReturnArrays(true);
            statement.setReadBigInts(true);
            count(statement.iterate());
          },
        },
        ctx.quick ? { warmup: 1, measured: 3 } : { warmup: 2, measured: 15 },
      );
      const b = summarize(samples.better);
      const p = summarize(samples.photo);
      const m = summarize(samples.masked);
      out.data = { rows, better: b, photo: p, masked: m };
      const label = `${rows.toLocaleString('en-US')} rows × 10 columns`;
      out.rows.push({
        measure: `read ${label}: @photostructure/sqlite vs better-sqlite3`,
        result: `${p50p99(p)} vs ${p50p99(b)}; ${ratio(p.p50 / b.p50)}`,
        goal: '≤ 1.3×',
        status: against(p.p50 / b.p50 <= 1.3),
      });
      out.rows.push({
        measure: `read ${label} through masking views, 2 columns masked`,
        result: `${p50p99(m)}; ${ratio(m.p50 / b.p50)} better-sqlite3 unmasked, +${ms(m.p50 - p.p50)} for ${(2 * rows).toLocaleString('en-US')} masked values`,
        status: 'info',
      });
    } finally {
      better.close();
      photo.close();
      masked.close();
      rmSync(dir, { recursive: true, force: true });
    }
    return out;
  },
};
