// The layering of the code, checked on every import (npm test runs it with the typecheck):
// routes → domain → store/engines; the domain is free of HTTP and the editor; extension/core
// is free of vscode; the extension and the webview share only the page protocol; lang/ and
// contract/ stand on their own. Run: npx tsx scripts/import-rules.ts
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export interface SourceFile {
  /** Path from the repository root, with forward slashes. */
  path: string;
  text: string;
}

interface Import {
  from: string;
  /** A repository path (`server/domain/errors.ts`) for a relative import, else the package name. */
  to: string;
  typeOnly: boolean;
}

interface Rule {
  /** Why the rule holds; the message of a violation. */
  why: string;
  appliesTo: (path: string) => boolean;
  forbids: (imp: Import) => boolean;
}

const under = (...folders: string[]) => (path: string) => folders.some((f) => path.startsWith(`${f}/`));
const isPackage = (...names: string[]) => (to: string) => names.some((n) => to === n || to.startsWith(`${n}/`));
const hono = isPackage('hono', '@hono/node-server', '@hono/zod-openapi');

export const RULES: Rule[] = [
  {
    why: 'the domain knows nothing of HTTP or the editor',
    appliesTo: under('server/domain'),
    forbids: ({ to }) => hono(to) || to === 'vscode' || to.startsWith('server/http/'),
  },
  {
    why: 'stores and engines sit below the domain and the routes (domain types only)',
    appliesTo: under('server/store', 'server/engines'),
    forbids: ({ to, typeOnly }) => hono(to) || to.startsWith('server/http/') || (to.startsWith('server/domain/') && !typeOnly),
  },
  {
    why: 'routes reach stores and engines through the domain (their types only)',
    appliesTo: under('server/http/routes'),
    forbids: ({ to, typeOnly }) => (to.startsWith('server/store/') || to.startsWith('server/engines/')) && !typeOnly,
  },
  {
    why: 'extension/core is plain TypeScript, testable without VS Code',
    appliesTo: under('extension/core'),
    forbids: ({ to }) => to === 'vscode',
  },
  {
    why: 'the webview shares only the page protocol and the contract with the extension',
    appliesTo: under('webview'),
    forbids: ({ to }) => to.startsWith('extension/'),
  },
  {
    why: 'the extension shares only the page protocol with the webview',
    appliesTo: under('extension'),
    forbids: ({ to }) => to.startsWith('webview/') && to !== 'webview/protocol.ts',
  },
  {
    why: 'the extension and the webview take from the service only its route types, AppType of server/http/app.ts as a type (no server code in their bundles; every other shape is in contract/)',
    appliesTo: under('extension', 'webview'),
    forbids: ({ to, typeOnly }) => to.startsWith('server/') && !(typeOnly && to === 'server/http/app.ts'),
  },
  {
    why: 'lang/ and contract/ are shared by every part, so they import none of them',
    appliesTo: under('lang', 'contract'),
    forbids: ({ to }) => ['server/', 'extension/', 'webview/'].some((p) => to.startsWith(p)),
  },
];

/**
 * Imports allowed to break a rule for a while, as "from -> to" (none today). An entry no
 * longer needed is reported too, so the list only shrinks.
 */
export const PENDING: readonly string[] = [];

function importsOf(file: SourceFile): Import[] {
  const source = ts.createSourceFile(file.path, file.text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const out: Import[] = [];
  const add = (specifier: ts.Expression | undefined, typeOnly: boolean) => {
    if (!specifier || !ts.isStringLiteral(specifier)) return;
    const text = specifier.text;
    const to = text.startsWith('.') ? posix.join(posix.dirname(file.path), text).replace(/\.js$/, '.ts') : text;
    out.push({ from: file.path, to, typeOnly });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
      const allNamedTypes = !clause?.name && named !== undefined && named.length > 0 && named.every((e) => e.isTypeOnly);
      add(node.moduleSpecifier, Boolean(clause?.isTypeOnly) || allNamedTypes);
    } else if (ts.isExportDeclaration(node)) {
      add(node.moduleSpecifier, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node.arguments[0], false);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node.argument.literal, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

/** Every import that breaks a rule (unless pending), and every pending entry that no import needs. */
export function checkImports(files: SourceFile[], pending: readonly string[] = PENDING): string[] {
  const problems: string[] = [];
  const used = new Set<string>();
  for (const file of files) {
    for (const imp of importsOf(file)) {
      for (const rule of RULES) {
        if (!rule.appliesTo(imp.from) || !rule.forbids(imp)) continue;
        const edge = `${imp.from} -> ${imp.to}`;
        if (pending.includes(edge)) used.add(edge);
        else problems.push(`${edge}: ${rule.why}`);
      }
    }
  }
  for (const edge of pending) if (!used.has(edge)) problems.push(`${edge}: no longer imported; remove it from PENDING in scripts/import-rules.ts`);
  return problems;
}

const FOLDERS = ['server', 'lang', 'contract', 'extension', 'webview'];

/** The TypeScript sources of the checked folders under `root`. */
export function sourcesUnder(root: string): SourceFile[] {
  const files: SourceFile[] = [];
  const walk = (dir: string) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) files.push({ path: relative(root, full).split('\\').join('/'), text: readFileSync(full, 'utf8') });
    }
  };
  for (const folder of FOLDERS) walk(join(root, folder));
  return files;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const problems = checkImports(sourcesUnder(join(dirname(fileURLToPath(import.meta.url)), '..')));
  for (const p of problems) console.error(p);
  if (problems.length > 0) process.exit(1);
  console.log('import rules: ok');
}
