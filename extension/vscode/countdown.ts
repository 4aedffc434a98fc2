// Redraws time-left text while an active grant is counting down, and stays idle otherwise.
// Data changes come from service events; this timer only moves the clock.
import type { AccessSnapshot, AccessState } from '../core/access-state.js';

const TICK_MS = 30_000;

export class Countdown {
  private timer?: ReturnType<typeof setInterval>;
  private readonly subscription: { dispose(): void };

  constructor(state: AccessState, private readonly redraw: () => void) {
    this.subscription = state.onChange((snapshot) => {
      redraw();
      this.schedule(snapshot);
    });
  }

  dispose(): void {
    this.subscription.dispose();
    this.stop();
  }

  private schedule(snapshot: AccessSnapshot): void {
    const counting = snapshot.grants.some((g) => g.state === 'ACTIVE' && g.expireTime);
    if (counting && !this.timer) this.timer = setInterval(this.redraw, TICK_MS);
    if (!counting) this.stop();
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
