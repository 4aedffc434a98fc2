// How the extension and webview are bundled, and what their bundles must not contain: the
// service's code and zod. Both share only the contract's types with the service, so a value
// import of either would quietly ship the server (and its dependencies) to every editor. The
// one exception is zod/mini (its core, tree-shaken): the event schemas of contract/events.ts
// are written with it so that the extension checks the events it reads with them.

/** CommonJS for the extension host; build.mjs adds the nested package.json that keeps Node from reading it as ESM. */
export const extensionBundle = {
  entryPoints: { extension: 'extension/extension.ts' },
  outdir: 'dist/extension',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['vscode'],
  sourcemap: true,
  logLevel: 'warning',
};

/** The pages run in the webview's browser: one classic script with the vscode-elements used. */
export const webviewBundle = {
  entryPoints: { main: 'webview/main.ts', pages: 'webview/pages.css' },
  outdir: 'dist/webview',
  bundle: true,
  platform: 'browser',
  format: 'iife',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  logLevel: 'warning',
};

const FORBIDDEN = [
  /^server\//,
  /^contract\/schemas\.ts$/,
  /(^|\/)node_modules\/zod\/(?!mini\/|v4\/mini\/|v4\/core\/|v4\/locales\/)/,
  /(^|\/)node_modules\/(@hono\/zod-openapi|@asteasolutions\/zod-to-openapi)\//,
];

/** The inputs of an esbuild metafile that must not be in a client bundle. */
export function forbiddenInputs(metafile) {
  return Object.keys(metafile.inputs).filter((input) => FORBIDDEN.some((pattern) => pattern.test(input)));
}

/** Throws, naming them, when a client bundle took in the service's code or zod. */
export function assertClientBundle(name, metafile) {
  const found = forbiddenInputs(metafile);
  if (found.length > 0) {
    throw new Error(`The ${name} bundle must import the service and zod as types only (import type), but it contains: ${found.join(', ')}`);
  }
}
