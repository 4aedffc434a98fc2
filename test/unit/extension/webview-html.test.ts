import assert from 'node:assert/strict';
import { contentSecurityPolicy, createNonce, pageHtml } from '../../../extension/core/webview-html.js';
import { isPageMessage } from '../../../webview/protocol.js';

describe('webview page shell', () => {
  const shell = { page: 'results' as const, title: 'Results: grant #a1 <x>', cspSource: 'https://res.test', scriptUri: 'https://res.test/main.js', styleUri: 'https://res.test/pages.css', nonce: 'N0nce' };
  const html = pageHtml(shell);

  it('denies everything by default and runs only scripts carrying the nonce', () => {
    const csp = contentSecurityPolicy(shell.cspSource, shell.nonce);
    assert.match(csp, /^default-src 'none'/);
    assert.match(csp, /script-src 'nonce-N0nce'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
  });

  it('loads the bundle with the nonce and tells it which page to mount', () => {
    assert.match(html, /<script nonce="N0nce" src="https:\/\/res.test\/main.js"><\/script>/);
    assert.match(html, /<body data-page="results">/);
    assert.equal((html.match(/<script/g) ?? []).length, 1);
  });

  it('escapes the title', () => {
    assert.match(html, /<title>Results: grant #a1 &#60;x&#62;<\/title>/);
  });

  it('makes a new nonce for every load', () => {
    const nonces = new Set(Array.from({ length: 20 }, createNonce));
    assert.equal(nonces.size, 20);
    for (const n of nonces) assert.match(n, /^[A-Za-z0-9_-]{24}$/);
  });
});

describe('page messages', () => {
  it('accepts only known message shapes from a page', () => {
    assert.equal(isPageMessage({ type: 'results.export', format: 'csv' }), true);
    assert.equal(isPageMessage({ type: 'eval', code: 'x' }), false);
    assert.equal(isPageMessage({ type: 'results.copy', text: 'a\tb', what: 'the cell as TSV' }), true);
    assert.equal(isPageMessage({ type: 'results.copy', text: { toString: 'x' }, what: 'the cell' }), false);
    assert.equal(isPageMessage({ type: 'results.copy', text: 'a' }), false);
    assert.equal(isPageMessage('ready'), false);
    assert.equal(isPageMessage(null), false);
  });

  it('accepts review messages only with the project, filters and ids the host sends on', () => {
    assert.equal(isPageMessage({ type: 'review.load', project: 'shop', filters: { state: 'ACTIVE' } }), true);
    assert.equal(isPageMessage({ type: 'review.load', project: 'shop' }), false);
    assert.equal(isPageMessage({ type: 'review.load', project: 7, filters: {} }), false);
    assert.equal(isPageMessage({ type: 'review.revoke', kind: 'role', id: 'b-1' }), true);
    assert.equal(isPageMessage({ type: 'review.revoke', kind: 'request', id: 'r-1' }), false);
    assert.equal(isPageMessage({ type: 'review.revoke', kind: 'grant' }), false);
  });
});
