import assert from 'node:assert/strict';
import type { AccessSnapshot } from '../../../extension/core/access-state.js';
import type { AccessRequest } from '../../../extension/core/api-types.js';
import { requestDetails } from '../../../extension/core/request-details.js';
import { followRequest } from '../../../extension/core/request-follower.js';
import { accessRequest, step } from './fixtures.js';

const ready: AccessSnapshot = { status: 'ready', projects: [], grants: [], myRequests: [], toApprove: [] };

/** AccessState as far as the follower uses it: reloads (one per burst of service events) notify. */
function fakeState() {
  const listeners = new Set<(s: AccessSnapshot) => void>();
  return {
    onChange: (listener: (s: AccessSnapshot) => void) => (listeners.add(listener), { dispose: () => listeners.delete(listener) }),
    reload: (snapshot = ready) => listeners.forEach((l) => l(snapshot)),
    listeners,
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('a page following its request', () => {
  let errors: unknown[];
  beforeEach(() => (errors = []));
  afterEach(() => assert.deepEqual(errors, []));
  const open = accessRequest({ id: '1' });
  const firstApproved = accessRequest({ id: '1', currentStep: 1, steps: [step(['projectOwner'], { approver: 'bob', decision: 'APPROVED' }), step(['workspaceDBA'])] });
  const approved = accessRequest({ id: '1', status: 'APPROVED', steps: [step(['projectOwner'], { approver: 'bob', decision: 'APPROVED' }), step(['workspaceDBA'], { approver: 'dana', decision: 'APPROVED' })] });

  it('moves past "waiting on step 1 of 2" as the approvals come in (the submitted page stayed there)', async () => {
    const state = fakeState();
    let current = open;
    const lines: string[] = [];
    followRequest({ state, fetch: async () => current, shown: open, onChange: (r) => lines.push(requestDetails(r).statusLine), onError: (e) => errors.push(e) });
    current = firstApproved;
    state.reload();
    await settle();
    current = approved;
    state.reload();
    await settle();
    assert.deepEqual(lines, ['OPEN — waiting on step 2 of 2: workspaceDBA', 'APPROVED']);
  });

  it('stays quiet when an event changed something else, so a comment being typed survives', async () => {
    const state = fakeState();
    const changes: AccessRequest[] = [];
    followRequest({ state, fetch: async () => structuredClone(open), shown: open, onChange: (r) => changes.push(r), onError: (e) => errors.push(e) });
    state.reload();
    await settle();
    assert.equal(changes.length, 0);
  });

  it('keeps the newest answer when an older one arrives late', async () => {
    const state = fakeState();
    const answers: ((r: AccessRequest) => void)[] = [];
    const changes: string[] = [];
    followRequest({ state, fetch: () => new Promise((resolve) => answers.push(resolve)), shown: open, onChange: (r) => changes.push(r.status), onError: () => {} });
    state.reload();
    state.reload();
    answers[1](approved);
    answers[0](firstApproved);
    await settle();
    assert.deepEqual(changes, ['APPROVED']);
  });

  it('does not fetch while signed out, and stops when the page closes', async () => {
    const state = fakeState();
    let fetches = 0;
    const follower = followRequest({ state, fetch: async () => (fetches++, open), shown: open, onChange: () => {}, onError: (e) => errors.push(e) });
    state.reload({ ...ready, status: 'signedOut' });
    follower.dispose();
    state.reload();
    await settle();
    assert.equal(fetches, 0);
    assert.equal(state.listeners.size, 0);
  });
});
