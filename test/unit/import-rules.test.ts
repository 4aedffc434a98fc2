// The import-rule check (scripts/import-rules.ts): each layering rule catches an import that
// breaks it and lets the allowed ones through, and the tree itself keeps every rule.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { checkImports, sourcesUnder } from '../../scripts/import-rules.js';

const file = (path: string, text: string) => ({ path, text });
const check = (path: string, text: string) => checkImports([file(path, text)], []);

describe('import rules', () => {
  it('keeps hono, vscode and the HTTP layer out of the domain', () => {
    assert.match(check('server/domain/a.ts', "import { Hono } from 'hono';").join(), /domain knows nothing of HTTP/);
    assert.match(check('server/domain/a.ts', "import type { OpenAPIHono } from '@hono/zod-openapi';").join(), /domain/);
    assert.match(check('server/domain/a.ts', "import * as vscode from 'vscode';").join(), /domain/);
    assert.match(check('server/domain/a.ts', "import { app } from '../http/app.js';").join(), /server\/domain\/a.ts -> server\/http\/app.ts/);
    assert.deepEqual(check('server/domain/a.ts', "import { x } from '../engines/engine.js';"), []);
  });

  it('lets stores and engines take only types from the domain, and nothing from HTTP', () => {
    assert.match(check('server/store/s.ts', "import { change } from '../domain/change.js';").join(), /below the domain/);
    assert.match(check('server/engines/e.ts', "export { x } from '../http/errors.js';").join(), /below the domain/);
    assert.deepEqual(check('server/store/s.ts', "import type { Grant } from '../domain/types.js';"), []);
    assert.deepEqual(check('server/store/s.ts', "import { type Grant } from '../domain/types.js';"), []);
  });

  it('sends routes through the domain', () => {
    assert.match(check('server/http/routes/r.ts', "import { openConfigStore } from '../../store/config-store.js';").join(), /through the domain/);
    assert.match(check('server/http/routes/r.ts', "const m = await import('../../engines/sqlite.js');").join(), /through the domain/);
    assert.deepEqual(check('server/http/routes/r.ts', "import type { State } from '../../store/config-store.js';"), []);
  });

  it('keeps vscode out of extension/core, and allows it in extension/vscode', () => {
    assert.match(check('extension/core/c.ts', "import type * as vscode from 'vscode';").join(), /without VS Code/);
    assert.deepEqual(check('extension/vscode/c.ts', "import * as vscode from 'vscode';"), []);
  });

  it('lets the extension and the webview share only the page protocol, and only service types', () => {
    assert.match(check('webview/w.ts', "import type { Grant } from '../extension/core/api-types.js';").join(), /only the page protocol and the contract/);
    assert.match(check('extension/vscode/p.ts', "import { render } from '../../webview/results.js';").join(), /only the page protocol with the webview/);
    assert.deepEqual(check('extension/vscode/p.ts', "import type { HostMessage } from '../../webview/protocol.js';"), []);
    assert.match(check('extension/core/d.ts', "import { parseDuration } from '../../server/config/duration.js';").join(), /no server code in their bundles/);
    assert.match(check('webview/w.ts', "import type { X } from '../server/a.js'; const y: import('../server/b.js').Y = f(); void import('../server/c.js');").join(), /webview\/w.ts -> server\/c.ts/);
    assert.match(check('extension/core/t.ts', "import type { RunResult } from '../../server/domain/data-access.js';").join(), /only its route types/);
    assert.match(check('extension/core/t.ts', "import { createApp } from '../../server/http/app.js';").join(), /no server code in their bundles/);
    assert.deepEqual(check('extension/core/t.ts', "import type { AppType } from '../../server/http/app.js';"), []);
    assert.deepEqual(check('extension/core/t.ts', "import { hc } from 'hono/client'; import { type AppType } from '../../server/http/app.js';"), []);
  });

  it('keeps lang/ and contract/ free of every part', () => {
    assert.match(check('lang/sql/l.ts', "import type { EngineKind } from '../../server/engines/engine.js';").join(), /import none of them/);
    assert.match(check('contract/c.ts', "import type { Grant } from '../extension/core/api-types.js';").join(), /import none of them/);
    assert.deepEqual(check('contract/c.ts', "import { z } from 'zod';"), []);
  });

  it('passes a pending import, and reports a pending entry nothing needs any more', () => {
    const edge = 'webview/w.ts -> extension/core/a.ts';
    assert.deepEqual(checkImports([file('webview/w.ts', "import { a } from '../extension/core/a.js';")], [edge]), []);
    assert.match(checkImports([file('webview/w.ts', '')], [edge]).join(), /no longer imported/);
  });

  it('holds in this tree', () => {
    assert.deepEqual(checkImports(sourcesUnder(fileURLToPath(new URL('../..', import.meta.url)))), []);
  });
});
