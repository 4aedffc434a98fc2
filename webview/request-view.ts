// The Request view: an approver reads the request and approves or rejects it with a comment;
// its requester may cancel it while it waits.
import { h, replaceContent } from './dom.js';
import type { VscodeButton, VscodeTextarea } from './elements.js';
import type { Host } from './host.js';
import type { HostMessage } from './protocol.js';
import { requestSummary } from './request-summary.js';

export function mountRequestView(app: HTMLElement, host: Host): void {
  const error = h('p', { class: 'error', role: 'alert' });
  host.onMessage((message: HostMessage) => {
    if (message.type === 'request.show') {
      error.textContent = '';
      replaceContent(app, requestSummary(message.request), message.canDecide ? decision(host) : undefined, message.canCancel ? cancellation(host) : undefined, error);
    } else if (message.type === 'request.error') {
      error.textContent = message.message;
    }
  });
}

function decision(host: Host): HTMLElement {
  const comment = h('vscode-textarea', { id: 'comment', rows: '3', placeholder: 'Comment (optional)', 'aria-label': 'Comment' }) as VscodeTextarea;
  const button = (label: string, decide: 'approve' | 'reject', secondary: boolean) => {
    const b = h('vscode-button', { secondary }, label) as VscodeButton;
    b.addEventListener('click', () => host.send({ type: 'request.decide', decision: decide, comment: comment.value.trim() }));
    return b;
  };
  return h('section', { class: 'decision', 'aria-label': 'Decision' }, h('vscode-label', {}, 'Comment'), comment, h('div', { class: 'buttons' }, button('Approve', 'approve', false), button('Reject', 'reject', true)));
}

function cancellation(host: Host): HTMLElement {
  const button = h('vscode-button', { secondary: true }, 'Cancel Request') as VscodeButton;
  button.addEventListener('click', () => host.send({ type: 'request.decide', decision: 'cancel', comment: '' }));
  return h('section', { class: 'cancellation', 'aria-label': 'Cancel' }, h('div', { class: 'buttons' }, button));
}
