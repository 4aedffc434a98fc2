// One clock for every time-left text (tree, CodeLens, status bar), so they redraw at the same
// instants and render the same "now" — separate timers let them disagree by up to a tick. It
// wakes exactly when some text would change (every second under a minute, at minute
// boundaries otherwise) and sleeps while nothing counts down; data changes redraw at once.
import type { AccessSnapshot, AccessState } from './access-state.js';
import { countdowns } from './status-text.js';
import { msUntilTextChanges } from './time-left.js';

export interface Timers {
  now(): number;
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const SYSTEM_TIMERS: Timers = {
  now: () => Date.now(),
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export class Countdown {
  private timer?: unknown;
  private current: number;
  private readonly listeners = new Set<() => void>();
  private readonly subscription: { dispose(): void };

  constructor(private readonly state: Pick<AccessState, 'snapshot' | 'onChange'>, private readonly timers: Timers = SYSTEM_TIMERS) {
    this.current = timers.now();
    this.subscription = state.onChange(() => this.redraw());
  }

  /** The instant views render time left for. It moves only on a redraw, so a view drawn between two redraws reads the same as the others. */
  get now(): number {
    return this.current;
  }

  onRedraw(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  dispose(): void {
    this.subscription.dispose();
    this.listeners.clear();
    this.cancel();
  }

  private redraw(): void {
    this.current = this.timers.now();
    for (const listener of this.listeners) listener();
    this.cancel();
    const delay = nextRedrawDelay(this.state.snapshot, this.current);
    if (delay !== undefined) this.timer = this.timers.set(() => this.redraw(), delay);
  }

  private cancel(): void {
    if (this.timer !== undefined) this.timers.clear(this.timer);
    this.timer = undefined;
  }
}

/** Milliseconds until any time-left text changes, or undefined when nothing counts down. */
export function nextRedrawDelay(snapshot: AccessSnapshot, now: number): number | undefined {
  const delays = countdowns(snapshot)
    .map((c) => msUntilTextChanges(c.expireTime, now))
    .filter((ms): ms is number => ms !== undefined);
  return delays.length > 0 ? Math.min(...delays) : undefined;
}
