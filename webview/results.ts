// The results of running a grant: row count, truncation, duration, export buttons that hand
// the download to the editor's save dialog, and the grid with its filter and copy toolbar.
import { h, replaceContent } from './dom.js';
import type { VscodeCheckbox, VscodeSingleSelect, VscodeTextfield } from './elements.js';
import { COPY_FORMATS, type CopyFormat } from './grid/copy-format.js';
import { ResultsGrid } from './grid/grid-view.js';
import type { Host } from './host.js';
import type { HostMessage, ResultsGrant, ResultsShow } from './protocol.js';
import { resultSummary } from './result-summary.js';

const COPY_OFF = 'Copying result data is turned off by the jitAccess.allowCopyData setting.';

export function mountResults(app: HTMLElement, host: Host): void {
  app.classList.add('results-page');
  const status = h('p', { class: 'export-status', role: 'status' });
  let grid: ResultsGrid | undefined;
  let toolbar: GridToolbar | undefined;
  host.onMessage((message: HostMessage, receivedAt: number) => {
    if (message.type === 'results.loading' || message.type === 'results.error' || message.type === 'results.show') {
      grid?.dispose();
      grid = undefined;
      toolbar = undefined;
    }
    if (message.type === 'results.loading') {
      replaceContent(app, header(message.grant, host), h('p', { class: 'loading' }, h('vscode-progress-ring', {}), ' Running…'));
    } else if (message.type === 'results.error') {
      replaceContent(app, header(message.grant, host), h('p', { class: 'error', role: 'alert' }, message.message));
    } else if (message.type === 'results.show') {
      // The benchmark reads these marks: from the message (before its rows were deserialized)
      // to the first rows on screen.
      performance.mark('results.received', { startTime: receivedAt });
      status.textContent = '';
      const shown = new ResultsGrid({
        columns: message.result.columns,
        rows: message.result.rows,
        copy: (text, what) => {
          if (toolbar?.allowCopy) host.send({ type: 'results.copy', text, what });
          else status.textContent = COPY_OFF;
        },
        say: (text) => (status.textContent = text),
      });
      grid = shown;
      toolbar = new GridToolbar(shown, message.allowCopy, message.result.rows.length + message.moreRows);
      replaceContent(app, header(message.grant, host), summary(message), exportBar(message, host), toolbar.element, status, shown.element);
      shown.renderNow();
      requestAnimationFrame(() => performance.mark('results.painted'));
      if (message.moreRows > 0) askForMore(host);
    } else if (message.type === 'results.rows') {
      grid?.append(message.rows);
      if (toolbar?.showCount() === 'complete') performance.mark('results.complete');
      else askForMore(host);
    } else if (message.type === 'results.exportStatus' || message.type === 'results.copyStatus') {
      status.textContent = message.message;
    } else if (message.type === 'results.copyPolicy') {
      toolbar?.setAllowCopy(message.allowCopy);
    }
  });
}

/** Asks for the next rows once this frame is painted, so the page stays responsive between them. */
function askForMore(host: Host): void {
  requestAnimationFrame(() => setTimeout(() => host.send({ type: 'results.more' })));
}

/** The filter box, the shown-row count and the copy controls above the grid. */
class GridToolbar {
  readonly element: HTMLElement;
  private readonly copyControls: HTMLElement;
  private readonly copyOff: HTMLElement;
  private readonly count: HTMLElement;
  private allowed: boolean;

  constructor(private readonly grid: ResultsGrid, allowCopy: boolean, private readonly total: number) {
    this.allowed = allowCopy;
    const filter = h('vscode-textfield', { id: 'grid-filter', placeholder: 'Filter rows (any column)', 'aria-label': 'Filter rows' }) as VscodeTextfield;
    let pending = 0;
    // Typing stays responsive: the scan over 100,000 rows runs once the keys pause.
    filter.addEventListener('input', () => {
      clearTimeout(pending);
      pending = window.setTimeout(() => {
        grid.setFilter(filter.value);
        this.showCount();
      }, 150);
    });
    this.count = h('span', { class: 'grid-count', role: 'status' });
    const format = h('vscode-single-select', { id: 'copy-format', 'aria-label': 'Copy format' }, ...COPY_FORMATS.map((f) => h('vscode-option', { value: f, selected: f === 'tsv' }, f === 'markdown' ? 'Markdown' : f.toUpperCase()))) as VscodeSingleSelect;
    const headers = h('vscode-checkbox', { id: 'copy-headers' }, 'With headers') as VscodeCheckbox;
    const button = (id: string, label: string, scope: 'cell' | 'selection' | 'rows') => {
      const b = h('vscode-button', { id, secondary: true }, label);
      b.addEventListener('click', () => grid.copy({ scope, format: format.value as CopyFormat, headers: headers.checked }));
      return b;
    };
    this.copyControls = h('div', { class: 'copy-controls' }, format, headers, button('copy-cell', 'Copy cell', 'cell'), button('copy-selection', 'Copy selection', 'selection'), button('copy-rows', 'Copy rows', 'rows'));
    this.copyOff = h('span', { class: 'copy-off' }, COPY_OFF);
    this.element = h('div', { class: 'grid-toolbar' }, filter, this.count, this.copyControls, this.copyOff);
    this.setAllowCopy(allowCopy);
    this.showCount();
  }

  get allowCopy(): boolean {
    return this.allowed;
  }

  setAllowCopy(allow: boolean): void {
    this.allowed = allow;
    this.copyControls.hidden = !allow;
    this.copyOff.hidden = allow;
  }

  showCount(): 'complete' | 'loading' {
    const { viewRowCount: shown, rowCount: received } = this.grid;
    const rows = shown === received ? `${thousands(received)} rows` : `${thousands(shown)} of ${thousands(received)} rows`;
    this.count.textContent = received < this.total ? `${rows}, loading ${thousands(this.total)}…` : rows;
    return received < this.total ? 'loading' : 'complete';
  }
}

/** 100000 → "100,000"; toLocaleString would load ICU data on the first paint (300 ms measured). */
function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
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
  const text = resultSummary(message.result, message.result.rows.length + message.moreRows);
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
