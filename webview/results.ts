// The results of running a grant: the grid (masked columns marked), row count, truncation,
// duration, and export buttons that hand the download to the editor's save dialog.
import { h, replaceContent } from './dom.js';
import type { Host } from './host.js';
import type { HostMessage, ResultsGrant, ResultsShow } from './protocol.js';
import { resultSummary } from '../extension/core/result-summary.js';

export function mountResults(app: HTMLElement, host: Host): void {
  const status = h('p', { class: 'export-status', role: 'status' });
  host.onMessage((message: HostMessage) => {
    if (message.type === 'results.loading') {
      replaceContent(app, header(message.grant, host), h('p', { class: 'loading' }, h('vscode-progress-ring', {}), ' Running…'));
    } else if (message.type === 'results.error') {
      replaceContent(app, header(message.grant, host), h('p', { class: 'error', role: 'alert' }, message.message));
    } else if (message.type === 'results.show') {
      status.textContent = '';
      replaceContent(app, header(message.grant, host), summary(message), exportBar(message, host), status, grid(message));
    } else if (message.type === 'results.exportStatus') {
      status.textContent = message.message;
    }
  });
}

function header(grant: ResultsGrant, host: Host): HTMLElement {
  const others = grant.databases.length > 1
    ? h('div', { class: 'databases' }, ...grant.databases.map((db) => {
        const button = h('vscode-button', { secondary: db !== grant.database }, `Run on ${db}`);
        button.addEventListener('click', () => host.send({ type: 'results.run', database: db }));
        return button;
      }))
    : undefined;
  return h(
    'header',
    {},
    h('h1', {}, `Results of ${grant.name} on ${grant.database ?? grant.databases[0] ?? ''}`),
    h('pre', { class: 'statement' }, grant.statement),
    others,
  );
}

function summary(message: ResultsShow): HTMLElement {
  const text = resultSummary(message.result);
  return h(
    'div',
    { class: 'summary' },
    h('p', { class: 'row-count' }, text.rows),
    text.truncated ? h('p', { class: 'truncated', role: 'note' }, text.truncated) : undefined,
    text.masked ? h('p', { class: 'masked-note' }, text.masked) : undefined,
  );
}

function exportBar(message: ResultsShow, host: Host): HTMLElement | undefined {
  if (message.exportFormats.length === 0) return undefined;
  return h(
    'div',
    { class: 'export-bar' },
    ...message.exportFormats.map((format) => {
      const button = h('vscode-button', { secondary: true }, `Export ${format.toUpperCase()}`);
      button.addEventListener('click', () => host.send({ type: 'results.export', format }));
      return button;
    }),
  );
}

function grid(message: ResultsShow): HTMLElement {
  const { columns, rows } = message.result;
  return h(
    'table',
    { class: 'grid' },
    h('thead', {}, h('tr', {}, ...columns.map((c) => h('th', { class: c.masked ? 'masked' : undefined, title: c.type }, c.name, c.masked ? h('span', { class: 'masked-badge' }, 'masked') : undefined)))),
    h('tbody', {}, ...rows.map((row) => h('tr', {}, ...row.map((cell, i) => h('td', { class: columns[i]?.masked ? 'masked' : undefined }, cellText(cell)))))),
  );
}

function cellText(value: unknown): string | HTMLElement {
  if (value === null || value === undefined) return h('span', { class: 'null' }, 'NULL');
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
