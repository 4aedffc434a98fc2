// Renders a request (who, what, where, why, the rule and its steps) — shown to approvers and
// to the requester right after submitting.
import type { ApproverContext, RequestDetails } from './protocol.js';
import { h } from './dom.js';

export function requestSummary(request: RequestDetails): HTMLElement {
  const { context } = request;
  const row = (label: string, value: Node | string) => h('div', { class: 'row' }, h('dt', {}, label), h('dd', {}, value));
  const access = [request.export ? 'Export' : '', request.unmask ? 'Unmask' : ''].filter(Boolean).join(', ') || 'Read only';
  return h(
    'section',
    { class: 'request', 'aria-label': request.title },
    h('h2', {}, request.title),
    h('p', { class: 'status', 'data-status': request.status }, request.statusLine),
    h(
      'dl',
      {},
      row('Requested by', request.creator),
      row('Project', request.project),
      request.role ? row('Role', request.role) : undefined,
      request.statement !== undefined ? row('Statement', h('pre', { class: 'statement' }, request.statement)) : undefined,
      row('Databases', databasesWithEnvironment(context)),
      context.tablesRead.length > 0 ? row('Tables read', list('tables-read', context.tablesRead)) : request.tables.length > 0 ? row('Tables', request.tables.join(', ')) : undefined,
      request.unmask ? row('Unmask reveals', context.revealsMaskedColumns.length > 0 ? list('reveals', context.revealsMaskedColumns) : 'no masked column') : undefined,
      request.kind === 'access' ? row('Access', access) : undefined,
      row('Duration', request.duration),
      row('Reason', request.reason),
      row('Rule', context.rule),
    ),
    h('h3', {}, 'Approval steps'),
    h('ol', { class: 'steps' }, ...request.steps.map((s) => h('li', {}, h('span', { class: 'step-label' }, s.label), ' — ', h('span', { class: 'step-state' }, s.state)))),
  );
}

/** Each database with its environment, production ones marked so an approver cannot miss them. */
function databasesWithEnvironment(context: ApproverContext): HTMLElement {
  return h(
    'ul',
    { class: 'context-databases' },
    ...context.databases.map((d) => h('li', { 'data-database': d.name }, d.name, h('span', { class: 'environment' }, ` (${d.environment})`), d.production ? h('span', { class: 'prod-badge' }, 'PROD') : undefined)),
  );
}

function list(className: string, items: string[]): HTMLElement {
  return h('ul', { class: className }, ...items.map((item) => h('li', {}, item)));
}
