import assert from 'node:assert/strict';
import type { AccessSnapshot } from '../../../extension/core/access-state.js';
import { Countdown, nextRedrawDelay, type Timers } from '../../../extension/core/countdown.js';
import { grant, me, NOW } from './fixtures.js';

const snapshotWith = (over: Partial<AccessSnapshot>): AccessSnapshot => ({ status: 'ready', projects: [], grants: [], myRequests: [], toApprove: [], ...over });
const secondsFromNow = (s: number) => new Date(NOW + s * 1000).toISOString();

/** A clock the test moves by hand, with the timers it holds. */
class FakeTimers implements Timers {
  time = NOW;
  pending = new Map<number, { at: number; callback: () => void }>();
  private next = 1;
  now = () => this.time;
  set = (callback: () => void, ms: number) => {
    this.pending.set(this.next, { at: this.time + ms, callback });
    return this.next++;
  };
  clear = (handle: unknown) => void this.pending.delete(handle as number);
  /** Fires the one pending timer and returns how long after the previous instant it fired. */
  fire(): number {
    assert.equal(this.pending.size, 1, 'exactly one timer');
    const [[handle, { at, callback }]] = this.pending;
    this.pending.delete(handle);
    const waited = at - this.time;
    this.time = at;
    callback();
    return waited;
  }
}

/** AccessState as far as the countdown uses it. */
class FakeState {
  snapshot = snapshotWith({});
  private listeners = new Set<(s: AccessSnapshot) => void>();
  onChange(listener: (s: AccessSnapshot) => void) {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }
  set(snapshot: AccessSnapshot) {
    this.snapshot = snapshot;
    for (const l of this.listeners) l(snapshot);
  }
}

describe('countdown', () => {
  it('redraws every second under a minute, not every 30 s (the lens said "56s left" beside "JIT 60s left")', () => {
    const timers = new FakeTimers();
    const state = new FakeState();
    const countdown = new Countdown(state, timers);
    let redraws = 0;
    countdown.onRedraw(() => redraws++);
    state.set(snapshotWith({ grants: [grant({ expireTime: secondsFromNow(61.5) })] }));
    assert.equal(redraws, 1, 'a data change redraws at once');
    // 61.5 s reads "1m left" until just under a minute, then "60s left", "59s left", …
    assert.equal(timers.fire(), 1501);
    assert.deepEqual([timers.fire(), timers.fire(), timers.fire()], [999, 1000, 1000]);
    assert.equal(redraws, 5);
    assert.equal(countdown.now, timers.time, 'views render for the instant of the last redraw');
    countdown.dispose();
    assert.equal(timers.pending.size, 0);
  });

  it('redraws at minute boundaries over a minute, and sleeps when nothing counts down', () => {
    const timers = new FakeTimers();
    const state = new FakeState();
    const countdown = new Countdown(state, timers);
    state.set(snapshotWith({ grants: [grant({ expireTime: secondsFromNow(23 * 60 + 30) })] }));
    assert.equal(timers.fire(), 30_001);
    assert.equal(timers.fire(), 60_000);
    state.set(snapshotWith({ grants: [grant({ state: 'EXPIRED' })] }));
    assert.equal(timers.pending.size, 0);
    countdown.dispose();
  });

  it('keeps one timer for every view, set by whichever text changes first', () => {
    const timers = new FakeTimers();
    const state = new FakeState();
    const countdown = new Countdown(state, timers);
    const seen: string[] = [];
    countdown.onRedraw(() => seen.push('tree'));
    countdown.onRedraw(() => seen.push('lens'));
    countdown.onRedraw(() => seen.push('status'));
    state.set(snapshotWith({ grants: [grant({ id: 'a', expireTime: secondsFromNow(10 * 60 + 30) }), grant({ id: 'b', expireTime: secondsFromNow(20 * 60 + 10) })] }));
    state.set(snapshotWith({ ...state.snapshot }));
    assert.equal(timers.pending.size, 1);
    // b turns from "20m" to "19m" 10 s from now, before a does.
    assert.equal(timers.fire(), 10_001);
    assert.deepEqual(seen.slice(-3), ['tree', 'lens', 'status']);
    countdown.dispose();
  });

  it('counts roles down too', () => {
    assert.equal(nextRedrawDelay(snapshotWith({ me: me({ shop: [{ role: 'sqlEditorUser', expireTime: secondsFromNow(45.25) }] }) }), NOW), 250);
  });
});
