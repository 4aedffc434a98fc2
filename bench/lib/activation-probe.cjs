// Times the extension bundle's load and activate() in a fresh Node process, with a stand-in
// for the `vscode` module — the extension's own activation cost, without the editor around it.
// Prints one JSON line: {requireMs, activateMs} or {error}.
//   node bench/lib/activation-probe.cjs dist/extension/extension.js
'use strict';
const Module = require('node:module');
const { readFileSync } = require('node:fs');
const { resolve } = require('node:path');

// Every property is another callable, constructible stand-in; never a thenable.
function stub() {
  const props = new Map();
  return new Proxy(function () {}, {
    get(_, key) {
      if (props.has(key)) return props.get(key);
      if (key === 'then') return undefined;
      if (key === Symbol.toPrimitive) return () => '';
      if (key === Symbol.iterator) return function* () {};
      props.set(key, stub());
      return props.get(key);
    },
    set(_, key, value) {
      props.set(key, value);
      return true;
    },
    apply: () => stub(),
    construct: () => stub(),
  });
}

// The bundle copies the module's own names at load, so every top-level API name must exist.
const api = {};
const types = readFileSync(require.resolve('@types/vscode/index.d.ts'), 'utf8');
for (const [, name] of types.matchAll(/^\texport (?:namespace|class|enum|const|function) (\w+)/gm)) api[name] = stub();
const fake = resolve(__dirname, 'vscode.virtual.js');
Module._cache[fake] = Object.assign(new Module(fake), { filename: fake, loaded: true, exports: api });
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return request === 'vscode' ? fake : resolveFilename.call(this, request, ...rest);
};

try {
  const t0 = performance.now();
  const extension = require(resolve(process.argv[2]));
  const t1 = performance.now();
  extension.activate(stub());
  const t2 = performance.now();
  process.stdout.write(`${JSON.stringify({ requireMs: t1 - t0, activateMs: t2 - t1 })}\n`);
} catch (err) {
  process.stdout.write(`${JSON.stringify({ error: String(err && err.message) })}\n`);
}
// The activated extension keeps timers and connection retries alive; the measurement is done.
process.exit(0);
