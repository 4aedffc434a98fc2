// Entry of the webview bundle: mounts the page the host asked for, then says it is ready.
import './elements.js';
import { mountGrantsReview } from './grants-review.js';
import { connectHost } from './host.js';
import type { PageKind } from './protocol.js';
import { mountRequestForm } from './request-form.js';
import { mountRequestView } from './request-view.js';
import { mountResults } from './results.js';

const mounts: Record<PageKind, typeof mountResults> = {
  requestForm: mountRequestForm,
  results: mountResults,
  request: mountRequestView,
  grantsReview: mountGrantsReview,
};

const app = document.getElementById('app');
const page = document.body.dataset.page as PageKind | undefined;
if (app && page && page in mounts) {
  const host = connectHost();
  mounts[page](app, host);
  host.send({ type: 'ready' });
}
