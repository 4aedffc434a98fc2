// The configuration state (what state.json holds for the embedded store) in one row, read by
// every replica. The row's version lets a read skip parsing what it has already parsed, while
// a change made through any replica is seen by the next read on every other.
import { serial } from '../../concurrency/serial.js';
import { formatZodError } from '../../config/load.js';
import { stateSchema, type ConfigStore, type State } from '../config-store.js';
import { inTransaction, type Pool } from './pool.js';

function parse(doc: string): State {
  const parsed = stateSchema.safeParse(JSON.parse(doc));
  if (!parsed.success) throw new Error(`invalid configuration state in the store (table config_state): ${formatZodError(parsed.error)}`);
  return parsed.data;
}

/** Seeded with seed() when the store has no state yet (the first replica to start on it). */
export async function openPgConfigStore(pool: Pool, seed: () => State): Promise<ConfigStore> {
  await pool.query('INSERT INTO config_state (id, version, doc) VALUES (1, 1, $1) ON CONFLICT (id) DO NOTHING', [JSON.stringify(seed())]);
  let known: { version: number; state: State } = { version: 0, state: undefined as never };
  const read = async () => {
    const { rows } = await pool.query<{ version: number; doc: string | null }>(
      'SELECT version, CASE WHEN version = $1 THEN NULL ELSE doc END AS doc FROM config_state WHERE id = 1',
      [known.version],
    );
    if (rows[0].doc !== null) known = { version: rows[0].version, state: parse(rows[0].doc) };
    return known.state;
  };
  await read();
  const updates = serial();
  return {
    read,
    update(fn) {
      const run = async () => {
        // Known only once committed: a version remembered from a failed commit could later
        // belong to another replica's state, which reads would then skip.
        known = await inTransaction(pool, async (client) => {
          const { rows } = await client.query<{ version: number; doc: string }>('SELECT version, doc FROM config_state WHERE id = 1 FOR UPDATE');
          const draft = parse(rows[0].doc);
          await fn(draft);
          const state = stateSchema.parse(draft);
          await client.query('UPDATE config_state SET version = $1, doc = $2 WHERE id = 1', [rows[0].version + 1, JSON.stringify(state)]);
          return { version: rows[0].version + 1, state };
        });
        return known.state;
      };
      return updates.run(run);
    },
  };
}
