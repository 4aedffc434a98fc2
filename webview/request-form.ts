// The Request Data Access form: pick project and databases, review the statement, choose
// export/unmask, an expiration and a reason; service errors appear beside their field.
import { h, replaceContent } from './dom.js';
import type { VscodeButton, VscodeCheckbox, VscodeRadio, VscodeSingleSelect, VscodeTextarea, VscodeTextfield } from './elements.js';
import type { Host } from './host.js';
import type { AccessForm, FieldError, FormField, HostMessage, RequestFormInit } from './protocol.js';
import { requestSummary } from './request-summary.js';

const CUSTOM = 'custom';

export function mountRequestForm(app: HTMLElement, host: Host): void {
  let init: RequestFormInit | undefined;
  host.onMessage((message: HostMessage) => {
    if (message.type === 'requestForm.init') {
      init = message;
      replaceContent(app, renderForm(message, host));
    } else if (message.type === 'requestForm.errors') {
      showErrors(app, message.errors);
    } else if (message.type === 'requestForm.created' && init) {
      replaceContent(app, h('h1', {}, 'Request submitted'), requestSummary(message.request));
    }
  });
}

function renderForm(init: RequestFormInit, host: Host): HTMLElement {
  const project = h('vscode-single-select', { id: 'project', 'aria-label': 'Project' }) as VscodeSingleSelect;
  for (const p of init.projects) {
    project.append(h('vscode-option', { value: p.id, selected: p.id === init.project }, `${p.name} (${p.id})`));
  }
  const databases = h('div', { id: 'databases', class: 'choices' });
  const showDatabases = () => {
    const chosen = init.projects.find((p) => p.id === project.value) ?? init.projects[0];
    const names = chosen?.databases ?? [];
    // A project with one database leaves nothing to choose.
    replaceContent(databases, ...names.map((db) => h('vscode-checkbox', { value: db, checked: names.length === 1 || init.databases.includes(db) }, db)));
  };
  project.addEventListener('change', showDatabases);
  showDatabases();

  const statement = h('vscode-textarea', { id: 'statement', rows: '8', monospace: true, resize: 'vertical', 'aria-label': 'Statement' }) as VscodeTextarea;
  statement.value = init.statement;
  const exportBox = h('vscode-checkbox', { id: 'export' }, 'Export — allow downloading the result') as VscodeCheckbox;
  const unmaskBox = h('vscode-checkbox', { id: 'unmask' }, 'Unmask — show masked columns in clear') as VscodeCheckbox;

  const presets = h(
    'vscode-radio-group',
    { id: 'duration' },
    ...init.presets.map((p, i) => h('vscode-radio', { name: 'duration', value: p, checked: i === 0 }, p)),
    h('vscode-radio', { name: 'duration', value: CUSTOM }, 'Custom'),
  );
  const custom = h('vscode-textfield', { id: 'customDuration', placeholder: `${init.minDuration} to ${init.maxDuration}, e.g. 90m`, 'aria-label': 'Custom expiration' }) as VscodeTextfield;
  const reason = h('vscode-textarea', { id: 'reason', rows: '3', placeholder: 'Why do you need this data?', 'aria-label': 'Reason' }) as VscodeTextarea;
  const submit = h('vscode-button', { id: 'submit' }, 'Submit request') as VscodeButton;

  const read = (): AccessForm => {
    const picked = [...presets.querySelectorAll('vscode-radio')].find((r) => (r as VscodeRadio).checked) as VscodeRadio | undefined;
    const duration = !picked || picked.value === CUSTOM ? custom.value.trim() : picked.value;
    return {
      project: project.value,
      databases: [...databases.querySelectorAll('vscode-checkbox')].filter((c) => (c as VscodeCheckbox).checked).map((c) => (c as VscodeCheckbox).value),
      statement: statement.value,
      export: exportBox.checked,
      unmask: unmaskBox.checked,
      duration,
      reason: reason.value.trim(),
    };
  };
  submit.addEventListener('click', () => host.send({ type: 'requestForm.submit', form: read() }));

  return h(
    'form',
    { class: 'request-form', 'aria-label': 'Request Data Access' },
    h('h1', {}, 'Request Data Access'),
    field('project', 'Project', project),
    field('databases', 'Databases', databases),
    field('statement', 'Statement', statement),
    field('export', 'Access', h('div', { class: 'choices' }, exportBox, unmaskBox)),
    field('duration', 'Expiration', presets, custom),
    field('reason', 'Reason', reason),
    h('div', { class: 'error', 'data-error-for': 'form', role: 'alert' }),
    submit,
  );
}

function field(name: FormField, label: string, ...controls: HTMLElement[]): HTMLElement {
  return h(
    'div',
    { class: 'field', 'data-field': name },
    h('vscode-label', {}, label),
    ...controls,
    h('div', { class: 'error', 'data-error-for': name, role: 'alert' }),
  );
}

function showErrors(app: HTMLElement, errors: FieldError[]): void {
  for (const slot of app.querySelectorAll('[data-error-for]')) slot.textContent = '';
  for (const error of errors) {
    const slot = app.querySelector(`[data-error-for="${error.field}"]`) ?? app.querySelector('[data-error-for="form"]');
    const where = error.line !== undefined ? ` (line ${error.line}, column ${error.column ?? 1})` : '';
    if (slot) slot.textContent = `${slot.textContent ? `${slot.textContent} ` : ''}${error.message}${where}`;
  }
}
