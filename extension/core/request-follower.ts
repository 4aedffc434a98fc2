// Keeps a page that shows one request current. The service's events (request.approved,
// grant.activated, request.rejected, …) each make AccessState reload, so every reload fetches
// the request again; the page hears only of real changes, so an unrelated event does not
// redraw it (and wipe a comment being typed into it).
import type { AccessSnapshot, AccessState } from './access-state.js';
import type { AccessRequest } from './api-types.js';

export interface FollowRequest {
  state: Pick<AccessState, 'onChange'>;
  fetch: (id: string, signal: AbortSignal) => Promise<AccessRequest>;
  /** The request as the page shows it now. */
  shown: AccessRequest;
  onChange: (request: AccessRequest) => void;
  onError: (error: unknown) => void;
}

export function followRequest({ state, fetch, shown, onChange, onError }: FollowRequest): { dispose(): void } {
  let last = JSON.stringify(shown);
  let inFlight: AbortController | undefined;
  const reload = async (snapshot: AccessSnapshot) => {
    if (snapshot.status !== 'ready') return;
    // A newer reload wins: an older answer arriving late must not undo a newer one.
    inFlight?.abort();
    const abort = new AbortController();
    inFlight = abort;
    try {
      const request = await fetch(shown.id, abort.signal);
      const seen = JSON.stringify(request);
      if (abort.signal.aborted || seen === last) return;
      last = seen;
      onChange(request);
    } catch (error) {
      if (!abort.signal.aborted) onError(error);
    }
  };
  const subscription = state.onChange((snapshot) => void reload(snapshot));
  return {
    dispose: () => {
      subscription.dispose();
      inFlight?.abort();
    },
  };
}
