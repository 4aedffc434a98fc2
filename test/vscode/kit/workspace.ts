// The folder VS Code opens in the VS Code suites: the service URL in its settings and a SQL
// file whose first statement is the one the tests get grants for, the second one never is.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { STATEMENT } from './api.js';

export const SQL_FILE = 'queries.sql';
export const UNCOVERED_STATEMENT = 'SELECT name FROM employees WHERE id = 2';

export function makeWorkspace(serviceUrl: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jit-workspace-'));
  fs.mkdirSync(path.join(dir, '.vscode'));
  fs.writeFileSync(path.join(dir, '.vscode', 'settings.json'), JSON.stringify({ 'jitAccess.serverUrl': serviceUrl }, null, 2));
  fs.writeFileSync(path.join(dir, SQL_FILE), `-- Employees of both regions\n${STATEMENT};\n\n-- Someone else's question\n${UNCOVERED_STATEMENT};\n`);
  return dir;
}
