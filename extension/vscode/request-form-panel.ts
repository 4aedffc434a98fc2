// The Request Data Access page: prefilled from the editor, submitted to the service, answered
// with the created request and its approval steps.
import * as vscode from 'vscode';
import { accessRequestBody, fieldErrorsFrom, validateAccessForm } from '../core/access-form.js';
import type { WorkspaceSettings } from '../core/api-types.js';
import { expirationPresets } from '../core/expiration.js';
import { requestDetails } from '../core/request-details.js';
import type { AccessForm } from '../../webview/protocol.js';
import { showError } from './errors.js';
import { keepShowing } from './request-panel.js';
import type { Services } from './services.js';
import { WebviewPage } from './webview-page.js';

export interface RequestPrefill {
  statement?: string;
  project?: string;
  databases?: string[];
}

const FALLBACK_BOUNDS = { minGrantDuration: '1m', maxGrantDuration: '7d' };

export async function openRequestForm(services: Services, prefill: RequestPrefill): Promise<void> {
  const { state, session } = services;
  const snapshot = await state.ready().catch(async (error: unknown) => void (await showError(error, session.serverUrl)));
  if (!snapshot) return;
  const settings: Pick<WorkspaceSettings, 'minGrantDuration' | 'maxGrantDuration'> = snapshot.settings ?? FALLBACK_BOUNDS;
  const projects = snapshot.projects.map((p) => ({ id: p.id, name: p.name, databases: p.databases.map((d) => d.name) }));
  const project = prefill.project ?? projects.find((p) => prefill.databases?.some((d) => p.databases.includes(d)))?.id ?? projects[0]?.id;

  const existing = services.pages.get('requestForm');
  existing?.dispose();
  const page = services.pages.add(
    'requestForm',
    new WebviewPage(services.extensionUri, 'requestForm', 'Request Data Access', (message) => {
      if (message.type === 'requestForm.submit') void submit(message.form);
    }),
  );
  page.post({
    type: 'requestForm.init',
    projects,
    project,
    databases: prefill.databases ?? [],
    statement: prefill.statement ?? '',
    presets: expirationPresets(settings),
    minDuration: settings.minGrantDuration,
    maxDuration: settings.maxGrantDuration,
  });

  async function submit(form: AccessForm): Promise<void> {
    const problems = validateAccessForm(form, settings);
    page.post({ type: 'requestForm.errors', errors: problems });
    if (problems.length > 0) return;
    try {
      const created = await session.client().createAccessRequest(form.project, accessRequestBody(form));
      page.post({ type: 'requestForm.created', request: requestDetails(created.request) });
      // The confirmation follows the approvals as they come in instead of staying at step 1.
      keepShowing(services, page, created.request, (request) => ({ type: 'requestForm.created', request: requestDetails(request) }));
      void state.refresh();
    } catch (error) {
      services.log.warn(`access request refused: ${error instanceof Error ? error.message : String(error)}`);
      page.post({ type: 'requestForm.errors', errors: fieldErrorsFrom(error, session.serverUrl) });
    }
  }
}

/** The selection if there is one, else nothing (the caller falls back to the statement under the cursor). */
export function selectedText(editor: vscode.TextEditor | undefined): string | undefined {
  if (!editor || editor.selection.isEmpty) return undefined;
  return editor.document.getText(editor.selection).trim() || undefined;
}
