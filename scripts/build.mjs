// Bundles the service (ESM, with its pure-JS dependencies inside: resolving and compiling
// hundreds of node_modules files dominated start-up) and the extension and webview.
// Output goes to dist/ (git-ignored).
import { build } from 'esbuild';
import { chmod, writeFile } from 'node:fs/promises';

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
  // CommonJS for the extension host; the nested package.json keeps Node from reading it as
  // ESM under this "type": "module" package.
  extension: async () => {
    await build({
      entryPoints: { extension: 'extension/extension.ts' },
      outdir: 'dist/extension',
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      external: ['vscode'],
      sourcemap: true,
      logLevel: 'warning',
    });
    await writeFile('dist/extension/package.json', '{"type":"commonjs"}\n');
  },
  // The pages run in the webview's browser: one classic script with the vscode-elements used.
  webview: async () => {
    await build({
      entryPoints: { main: 'webview/main.ts', pages: 'webview/pages.css' },
      outdir: 'dist/webview',
      bundle: true,
      platform: 'browser',
      format: 'iife',
      target: 'es2022',
      minify: true,
      sourcemap: true,
      logLevel: 'warning',
    });
  },
};

const wanted = process.argv.slice(2);
for (const [name, run] of Object.entries(targets)) {
  if (wanted.length === 0 || wanted.includes(name)) await run();
}
