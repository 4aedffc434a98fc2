// The Request view: what is asked, by whom, under which rule; approvers decide here.
import * as vscode from 'vscode';
import { describeError } from '../core/api-errors.js';
import type { AccessRequest } from '../core/api-types.js';
import { capitalize, requestName } from '../core/grant-labels.js';
import { requestDetails } from '../core/request-details.js';
import { showError } from './errors.js';
import type { Services } from './services.js';
import { WebviewPage } from './webview-page.js';

export async function openRequest(services: Services, requestId: string): Promise<void> {
  let request: AccessRequest;
  try {
    request = await services.session.client().request(requestId);
  } catch (error) {
    await showError(error, services.session.serverUrl);
    return;
  }
  const key = `request:${requestId}`;
  const page =
    services.pages.get(key) ??
    services.pages.add(
      key,
      new WebviewPage(services.extensionUri, 'request', capitalize(requestName(request)), (message) => {
        if (message.type !== 'request.decide') return;
        void decide(services, requestId, message.decision, message.comment).then(
          () => openRequest(services, requestId),
          (error: unknown) => page.post({ type: 'request.error', message: describeError(error, services.session.serverUrl).message }),
        );
      }),
    );
  page.panel.reveal();
  page.post({ type: 'request.show', request: requestDetails(request), canDecide: canDecide(services, request) });
}

/** Approves or rejects, tells the user, and reloads the views. Throws when the service refuses. */
export async function decide(services: Services, requestId: string, decision: 'approve' | 'reject', comment?: string): Promise<void> {
  await services.session.client().decide(requestId, decision, comment || undefined);
  const name = requestName({ id: requestId });
  void vscode.window.showInformationMessage(decision === 'approve' ? `Approved ${name}.` : `Rejected ${name}.`);
  await services.state.refresh();
}

function canDecide(services: Services, request: AccessRequest): boolean {
  return request.status === 'OPEN' && services.state.snapshot.toApprove.some((r) => r.id === request.id);
}
