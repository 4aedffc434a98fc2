// The run-overhead target for the embedded SQLite engine; the raw driver is better-sqlite3 (the
// engine's own driver is @photostructure/sqlite: see sqlite-driver.ts for the two compared).
import Database from 'better-sqlite3';
import { createSqliteEngine } from '../../server/engines/sqlite.js';
import { makeFixture } from '../lib/fixture.js';
import { LARGE_ROWS, runOverheadSuite } from './run-overhead.js';

export const runOverheadSqlite = runOverheadSuite({
  engine: 'SQLite',
  database: 'wide',
  engineWork:
    'the statement runs in a SQLite worker child process (killable on timeout) — one IPC round trip for a result of up to 1,000 rows (the first batch ' +
    'comes with the columns), one more per further batch, one batch read ahead; the engine reads through @photostructure/sqlite under an authorizer',
  async setup() {
    const fixture = makeFixture('run-overhead-sqlite', { wide: LARGE_ROWS });
    const db = new Database(fixture.dbFile('wide'), { readonly: true });
    return {
      fixture,
      // The thinnest path: prepare, read every row as an array, nothing else.
      raw: async (sql) => db.prepare(sql).raw(true).all() as unknown[][],
      engine: createSqliteEngine({ dir: fixture.dbDir }),
      close: async () => {
        db.close();
      },
    };
  },
});
