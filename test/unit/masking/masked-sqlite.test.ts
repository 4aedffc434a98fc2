// Masking end to end on the real SQLite engine: whatever the statement does to a masked
// column, no masked value comes out.
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Engine, RunScope } from '../../../server/engines/engine.js';
import { createSqliteEngine } from '../../../server/engines/sqlite.js';

const MASKED: RunScope = { unmask: false, masking: [{ table: 'employees', column: 'email', algorithm: 'partial' }] };
const SECRETS = ['alice@example.com', 'bob@example.com', 'ce@example.com', '@example', 'example.com'];

const STATEMENTS = [
  'SELECT email FROM employees',
  'SELECT e.email AS contact FROM employees e',
  'SELECT * FROM employees',
  'SELECT upper(email) FROM employees',
  "SELECT substr(email, 1, 100) || '' AS x FROM employees",
  "SELECT replace(email, '@', ' at ') FROM employees",
  'SELECT x FROM (SELECT email AS x FROM employees)',
  'WITH c AS (SELECT email AS m FROM employees) SELECT m FROM c',
  'SELECT name FROM employees UNION SELECT email FROM employees',
  'SELECT (SELECT email FROM employees ORDER BY id LIMIT 1) AS s',
  'SELECT group_concat(email) FROM employees',
  'SELECT d.name, e.email FROM departments d JOIN employees e ON e.dept = d.id',
  'SELECT CASE WHEN id > 0 THEN email END AS v FROM employees',
];

describe('masking on the SQLite engine', function () {
  let dir: string;
  let engine: Engine;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'jit-mask-'));
    const db = new Database(join(dir, 'hr.sqlite'));
    db.exec(`CREATE TABLE departments (id INTEGER PRIMARY KEY, name TEXT);
      INSERT INTO departments VALUES (1, 'Sales');
      CREATE TABLE employees (id INTEGER PRIMARY KEY, name TEXT, email TEXT, dept INTEGER);
      INSERT INTO employees VALUES (1, 'Alice', 'alice@example.com', 1), (2, 'Bob', 'bob@example.com', 1), (3, 'Ce', 'ce@example.com', 1);`);
    db.close();
    engine = createSqliteEngine({ dir });
  });
  after(async () => {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const sql of STATEMENTS) {
    it(`lets no masked value out of: ${sql}`, async () => {
      const result = await engine.query('hr', sql, { timeoutMs: 20_000, maxRows: 100 }, MASKED);
      assert.ok(result.rows.length > 0);
      const text = JSON.stringify(result.rows).toLowerCase();
      for (const secret of SECRETS) assert.ok(!text.includes(secret), `${secret} in ${text}`);
    });
  }

  it('leaves unmasked columns of the same statement readable', async () => {
    const sql = 'SELECT e.name, e.email FROM employees e ORDER BY e.id';
    const result = await engine.query('hr', sql, { timeoutMs: 20_000, maxRows: 100 }, MASKED);
    assert.deepEqual(result.rows[0], ['Alice', 'ali******com']);
    assert.deepEqual(result.columns.map((c) => c.masked), [false, true]);
  });
});
