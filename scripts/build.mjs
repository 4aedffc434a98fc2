// Bundles the service (ESM, with its pure-JS dependencies inside: resolving and compiling
// hundreds of node_modules files dominated start-up) and the extension and webview.
// Output goes to dist/ (git-ignored).
import { build } from 'esbuild';
import { chmod, writeFile } from 'node:fs/promises';
import { assertClientBundle, extensionBundle, webviewBundle } from './client-bundles.mjs';

const targets = {
  server: async () => {
    await build({
      entryPoints: { 'server/cli': 'server/cli.ts', 'server/sqlite-worker': 'server/engines/sqlite-worker.ts', 'server/analysis-worker': 'server/sql/analysis-worker.ts' },
      outdir: 'dist',
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      // Native addons and modules loaded by computed path stay in node_modules; exceljs is
      // loaded on first xlsx export only.
      external: ['better-sqlite3', '@photostructure/sqlite', 'pg-native', 'exceljs', 'node-sql-parser'],
      sourcemap: true,
      // Bundled CommonJS dependencies call require() for Node's built-ins.
      banner: { js: "#!/usr/bin/env node\nimport { createRequire as __jitCreateRequire } from 'node:module';\nconst require = __jitCreateRequire(import.meta.url);" },
      logLevel: 'warning',
    });
    await chmod('dist/server/cli.js', 0o755);
  },
  extension: async () => {
    assertClientBundle('extension', (await build({ ...extensionBundle, metafile: true })).metafile);
    await writeFile('dist/extension/package.json', '{"type":"commonjs"}\n');
  },
  webview: async () => {
    assertClientBundle('webview', (await build({ ...webviewBundle, metafile: true })).metafile);
  },
};

const wanted = process.argv.slice(2);
for (const [name, run] of Object.entries(targets)) {
  if (wanted.length === 0 || wanted.includes(name)) await run();
}
