// Creates the demo's SQLite databases (once) with a few thousand deterministic rows.
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

// A small seeded PRNG (mulberry32) so every demo has the same data.
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = ['Ava', 'Ben', 'Chloe', 'Diego', 'Emma', 'Farah', 'Gus', 'Hana', 'Ivan', 'Jia', 'Kofi', 'Lena', 'Mateo', 'Nora', 'Omar', 'Priya'];
const LAST = ['Smith', 'Okafor', 'Garcia', 'Nguyen', 'Müller', 'Rossi', 'Kowalski', 'Haddad', 'Tanaka', 'Silva', 'Olsen', 'Patel'];
const DEPARTMENTS = ['Engineering', 'Sales', 'Support', 'Finance', 'Marketing', 'Operations'];
const PRODUCTS = ['Keyboard', 'Monitor', 'Laptop stand', 'USB-C hub', 'Headset', 'Webcam', 'Desk lamp', 'Chair'];

/** Builds a database in a temporary file and renames it into place, so a crash never leaves half a demo. */
function create(file: string, build: (db: Database.Database) => void) {
  if (existsSync(file)) return;
  const tmp = `${file}.tmp-${process.pid}`;
  const db = new Database(tmp);
  db.transaction(() => build(db))();
  db.close();
  renameSync(tmp, file);
}

export function seedDemoDatabases(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const rnd = random(42);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const day = (from: number, span: number) => new Date(Date.UTC(2020, 0, 1) + Math.floor(rnd() * span + from) * 86_400_000).toISOString().slice(0, 10);

  create(join(dir, 'hr.sqlite'), (db) => {
    db.exec(`CREATE TABLE employees (
      id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL, phone TEXT NOT NULL,
      department TEXT NOT NULL, salary INTEGER NOT NULL, ssn TEXT NOT NULL, hired_on TEXT NOT NULL)`);
    const insert = db.prepare('INSERT INTO employees VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    for (let id = 1; id <= 2000; id++) {
      const first = pick(FIRST);
      const last = pick(LAST);
      const digits = (n: number) => Array.from({ length: n }, () => Math.floor(rnd() * 10)).join('');
      insert.run(id, `${first} ${last}`, `${first}.${last}${id}@example.com`.toLowerCase(), `+1-555-${digits(3)}-${digits(4)}`,
        pick(DEPARTMENTS), 40_000 + Math.floor(rnd() * 120) * 1000, `${digits(3)}-${digits(2)}-${digits(4)}`, day(0, 2000));
    }
  });

  create(join(dir, 'sales.sqlite'), (db) => {
    db.exec(`CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, country TEXT NOT NULL, created_on TEXT NOT NULL);
      CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers(id),
        product TEXT NOT NULL, quantity INTEGER NOT NULL, amount REAL NOT NULL, ordered_on TEXT NOT NULL)`);
    const customer = db.prepare('INSERT INTO customers VALUES (?, ?, ?, ?)');
    for (let id = 1; id <= 1000; id++) customer.run(id, `${pick(LAST)} ${pick(['GmbH', 'Ltd', 'Inc', 'SA', 'AB'])}`, pick(['DE', 'GB', 'US', 'FR', 'SE', 'BR', 'JP']), day(0, 1500));
    const order = db.prepare('INSERT INTO orders VALUES (?, ?, ?, ?, ?, ?)');
    for (let id = 1; id <= 5000; id++) {
      const qty = 1 + Math.floor(rnd() * 5);
      order.run(id, 1 + Math.floor(rnd() * 1000), pick(PRODUCTS), qty, Math.round(qty * (20 + rnd() * 480) * 100) / 100, day(1500, 500));
    }
  });
}
