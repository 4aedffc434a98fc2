import assert from 'node:assert/strict';
import { build, type BuildOptions } from 'esbuild';
import { assertClientBundle, extensionBundle, forbiddenInputs, webviewBundle } from '../../scripts/client-bundles.mjs';

async function inputsOf(options: BuildOptions) {
  return (await build({ ...options, write: false, metafile: true, logLevel: 'silent' })).metafile;
}

describe('client bundles (extension and webview)', () => {
  it('take in neither the service nor zod: the contract is imported as types only', async () => {
    for (const options of [extensionBundle, webviewBundle]) {
      const metafile = await inputsOf(options);
      assert.ok(Object.keys(metafile.inputs).some((input) => input.startsWith('extension/') || input.startsWith('webview/')));
      assert.deepEqual(forbiddenInputs(metafile), []);
    }
  });

  it('may take zod/mini, for the event schemas, but not the rest of zod', async () => {
    const bundled = (contents: string) => inputsOf({ ...extensionBundle, entryPoints: undefined, stdin: { contents, resolveDir: process.cwd(), loader: 'ts' } });
    assert.deepEqual(forbiddenInputs(await bundled("import { EVENT_SCHEMAS } from './contract/events.js'; console.log(EVENT_SCHEMAS);")), []);
    assert.match(forbiddenInputs(await bundled("import { z } from 'zod'; console.log(z.string());")).join(), /node_modules\/zod\/v4\/classic\//);
  });

  it('are refused at build time when a value import pulls the schemas (and zod) in', async () => {
    const metafile = await inputsOf({
      ...extensionBundle,
      entryPoints: undefined,
      stdin: { contents: "import { Grant } from './contract/schemas.js'; console.log(Grant);", resolveDir: process.cwd(), loader: 'ts' },
    });
    assert.throws(() => assertClientBundle('extension', metafile), /^Error: The extension bundle must import the service and zod as types only \(import type\), but it contains: (?=.*contract\/schemas\.ts)(?=.*node_modules\/zod\/)/);
  });
});
