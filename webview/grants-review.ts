// The Access Grants review: a project's grants and role bindings, filtered by state, user,
// database and "expiring within", each with who asked, who approved, how it was used, and Revoke.
import type { ReviewRow } from './protocol.js';
import { h, replaceContent } from './dom.js';
import type { VscodeButton, VscodeSingleSelect, VscodeTextfield } from './elements.js';
import type { Host } from './host.js';
import type { HostMessage, ReviewShow } from './protocol.js';

const STATES = ['ACTIVE', 'PENDING', 'EXPIRED', 'REVOKED'];

export function mountGrantsReview(app: HTMLElement, host: Host): void {
  const status = h('p', { class: 'review-status', role: 'status' });
  host.onMessage((message: HostMessage) => {
    if (message.type === 'review.show') {
      status.textContent = '';
      status.classList.remove('error');
      replaceContent(app, h('h1', {}, 'Access Grants review'), filterBar(message, host), status, table(message.rows, host));
    } else if (message.type === 'review.status') {
      status.textContent = message.message;
      status.classList.toggle('error', message.error);
    }
  });
}

function select(id: string, label: string, options: { value: string; text: string }[], selected: string | undefined): VscodeSingleSelect {
  return h('vscode-single-select', { id, 'aria-label': label }, ...options.map((o) => h('vscode-option', { value: o.value, selected: o.value === (selected ?? '') }, o.text))) as VscodeSingleSelect;
}

function textField(id: string, label: string, value: string | undefined, placeholder: string): VscodeTextfield {
  const field = h('vscode-textfield', { id, 'aria-label': label, placeholder }) as VscodeTextfield;
  field.value = value ?? '';
  return field;
}

function filterBar(shown: ReviewShow, host: Host): HTMLElement {
  const project = select('review-project', 'Project', shown.projects.map((p) => ({ value: p.id, text: `${p.name} (${p.id})` })), shown.project);
  const state = select('review-state', 'State', [{ value: '', text: 'Any state' }, ...STATES.map((s) => ({ value: s, text: s }))], shown.filters.state);
  const database = select('review-database', 'Database', [{ value: '', text: 'Any database' }, ...shown.databases.map((d) => ({ value: d, text: d }))], shown.filters.database);
  const user = textField('review-user', 'User', shown.filters.user, 'User id');
  const expiring = textField('review-expiring', 'Expiring within', shown.filters.expiringWithin, 'e.g. 2h');
  const apply = h('vscode-button', { id: 'review-apply' }, 'Apply') as VscodeButton;
  // The project select is on the page only when there is a choice; detached, it has no value.
  const projectId = () => (shown.projects.length > 1 ? project.value : shown.project);
  const load = () => host.send({
    type: 'review.load',
    project: projectId(),
    filters: { state: state.value, database: database.value, user: user.value, expiringWithin: expiring.value },
  });
  apply.addEventListener('click', load);
  // Another project has other databases: its filter must start over.
  project.addEventListener('change', () => host.send({ type: 'review.load', project: projectId(), filters: {} }));
  const labelled = (label: string, control: HTMLElement) => h('div', { class: 'review-filter' }, h('vscode-label', {}, label), control);
  return h(
    'section',
    { class: 'review-filters', 'aria-label': 'Filters' },
    shown.projects.length > 1 ? labelled('Project', project) : undefined,
    labelled('State', state),
    labelled('User', user),
    labelled('Database', database),
    labelled('Expiring within', expiring),
    apply,
  );
}

function table(rows: ReviewRow[], host: Host): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'review-empty' }, 'No grants or roles match these filters.');
  const head = ['Access', 'Requester', 'Databases', 'Statement or role', 'State', 'Approvers', 'Expiry', 'Usage', ''];
  return h(
    'table',
    { class: 'review-table' },
    h('thead', {}, h('tr', {}, ...head.map((label) => h('th', {}, label)))),
    h('tbody', {}, ...rows.map((row) => rowOf(row, host))),
  );
}

function rowOf(row: ReviewRow, host: Host): HTMLElement {
  const revoke = row.revocable ? (h('vscode-button', { secondary: true, class: 'revoke' }, 'Revoke') as VscodeButton) : undefined;
  revoke?.addEventListener('click', () => host.send({ type: 'review.revoke', kind: row.kind, id: row.id }));
  return h(
    'tr',
    { class: 'review-row', 'data-kind': row.kind, 'data-id': row.id, 'data-state': row.state },
    h('td', {}, row.name, ...row.badges.map((b) => h('span', { class: 'badge' }, b))),
    h('td', { class: 'requester' }, row.requester),
    h('td', {}, row.databases.join(', ') || 'whole project'),
    h('td', {}, row.kind === 'grant' ? h('pre', { class: 'statement' }, row.what) : row.what),
    h('td', { class: 'state' }, row.state),
    h('td', { class: 'approvers' }, row.approvers),
    h('td', { class: 'expiry' }, row.expiry),
    h('td', { class: 'usage' }, row.usage),
    h('td', {}, revoke),
  );
}
