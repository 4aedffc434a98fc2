// The HTML shell of every webview page: a strict Content-Security-Policy where the only
// script that runs is our bundle, carrying a nonce made fresh for each load.
import type { PageKind } from '../../webview/protocol.js';

export interface PageShell {
  page: PageKind;
  title: string;
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  nonce: string;
}

export function createNonce(): string {
  const bytes = new Uint8Array(18);
  globalThis.crypto.getRandomValues(bytes);
  return Buffer.from(bytes).toString('base64url');
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}

export function pageHtml(shell: PageShell): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(contentSecurityPolicy(shell.cspSource, shell.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(shell.title)}</title>
<link rel="stylesheet" href="${escapeHtml(shell.styleUri)}" nonce="${shell.nonce}">
</head>
<body data-page="${shell.page}">
<main id="app"></main>
<script nonce="${shell.nonce}" src="${escapeHtml(shell.scriptUri)}"></script>
</body>
</html>`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
