// The small, human-readable configuration state (workspace settings, users, instances,
// projects, masking, approval rules) in <data-dir>/state.json via lowdb. Seeded from the
// config file the first time; from then on this file is the source of truth.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { JSONFilePreset } from 'lowdb/node';
import { z } from 'zod';
import { configObjectSchema, userSchema, type Config } from '../config/schema.js';
import { formatZodError } from '../config/load.js';
import { serial } from '../concurrency/serial.js';

export const storedUserSchema = userSchema.omit({ token: true }).extend({ tokenHash: z.string().regex(/^[0-9a-f]{64}$/) });
export type StoredUser = z.infer<typeof storedUserSchema>;

/**
 * The configuration state: the file's settings, tokens hashed, without where the state is kept
 * (the store's URL carries its password) and without auth: both are read from the config file
 * at every start, so a provider added to the file takes effect on an existing data dir.
 */
export type State = Omit<Config, 'users' | 'store' | 'auth'> & { users: StoredUser[] };

export const hashToken = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

export function stateFromConfig(config: Config): State {
  const { users, store: _store, auth: _auth, ...rest } = config;
  return { ...rest, users: users.map(({ token, ...u }) => ({ ...u, tokenHash: hashToken(token) })) };
}

export const stateSchema = configObjectSchema.omit({ store: true, auth: true }).extend({ users: z.array(storedUserSchema) });

export interface ConfigStore {
  /** The current state; treat it as read-only. */
  read(): Promise<Readonly<State>>;
  /** Applies fn to a copy, validates the result and writes it; nothing changes if fn throws. */
  update(fn: (draft: State) => void | Promise<void>): Promise<Readonly<State>>;
}

export async function openConfigStore(file: string, seed: () => State): Promise<ConfigStore> {
  const fresh = !existsSync(file);
  const db = await JSONFilePreset<State>(file, fresh ? seed() : ({} as State));
  const parsed = stateSchema.safeParse(db.data);
  if (!parsed.success) throw new Error(`invalid state file ${file}: ${formatZodError(parsed.error)}`);
  db.data = parsed.data;
  if (fresh) await db.write();

  const updates = serial();
  return {
    async read() {
      return db.data;
    },
    update(fn) {
      const run = async () => {
        const draft = structuredClone(db.data);
        await fn(draft);
        db.data = stateSchema.parse(draft);
        await db.write();
        return db.data;
      };
      return updates.run(run);
    },
  };
}
