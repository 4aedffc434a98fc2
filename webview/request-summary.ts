// Renders a request (who, what, where, why, the rule and its steps) — shown to approvers and
// to the requester right after submitting.
import type { RequestDetails } from '../extension/core/request-details.js';
import { h } from './dom.js';

export function requestSummary(request: RequestDetails): HTMLElement {
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
      row('Databases', request.databases.join(', ')),
      request.tables.length > 0 ? row('Tables', request.tables.join(', ')) : undefined,
      request.kind === 'access' ? row('Access', access) : undefined,
      row('Duration', request.duration),
      row('Reason', request.reason),
      row('Rule', request.rule),
    ),
    h('h3', {}, 'Approval steps'),
    h('ol', { class: 'steps' }, ...request.steps.map((s) => h('li', {}, h('span', { class: 'step-label' }, s.label), ' — ', h('span', { class: 'step-state' }, s.state)))),
  );
}
