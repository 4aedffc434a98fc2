// The Request view: what is asked, by whom, under which rule; approvers decide here, and the
// requester may cancel while it waits.
import * as vscode from 'vscode';
import { describeError } from '../core/api-errors.js';
import type { AccessRequest } from '../core/api-types.js';
import { capitalize, requestName } from '../core/grant-labels.js';
import { requestDetails } from '../core/request-details.js';
import { followRequest } from '../core/request-follower.js';
import type { HostMessage } from '../../webview/protocol.js';
import { showError } from './errors.js';
import { cancelRequest } from './request-cancel.js';
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
  const page = services.pages.get(key) ?? services.pages.add(key, requestPage(services, request));
  page.panel.reveal();
  page.post(showMessage(services, request));
}

function requestPage(services: Services, request: AccessRequest): WebviewPage {
  const page: WebviewPage = new WebviewPage(services.extensionUri, 'request', capitalize(requestName(request)), (message) => {
    const failed = (error: unknown) => page.post({ type: 'request.error', message: describeError(error, services.session.serverUrl).message });
    if (message.type !== 'request.decide') return;
    if (message.decision === 'cancel') void cancelRequest(services, request.id).then((canceled) => (canceled ? openRequest(services, request.id) : undefined), failed);
    else void decide(services, request.id, message.decision, message.comment).then(() => openRequest(services, request.id), failed);
  });
  // Someone else may decide while the page is open; it must not offer a stale decision.
  keepShowing(services, page, request, (changed) => showMessage(services, changed));
  return page;
}

/** Redraws `page` with `message(request)` whenever the service reports a change to the request, until the page closes. */
export function keepShowing(services: Services, page: WebviewPage, shown: AccessRequest, message: (request: AccessRequest) => HostMessage): void {
  page.own(
    followRequest({
      state: services.state,
      fetch: (id, signal) => services.session.client().request(id, signal),
      shown,
      onChange: (request) => page.post(message(request)),
      onError: (error) => services.log.warn(`reloading ${requestName(shown)} failed: ${error instanceof Error ? error.message : String(error)}`),
    }),
  );
}

function showMessage(services: Services, request: AccessRequest): HostMessage {
  const canCancel = request.status === 'OPEN' && request.creator === services.state.snapshot.me?.user.id;
  return { type: 'request.show', request: requestDetails(request), canDecide: canDecide(services, request), canCancel };
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
