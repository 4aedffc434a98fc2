// A clock the test moves by hand: timers fire only inside advance()/set(), in time order.
import type { Clock } from '../../server/domain/clock.js';

export class FakeClock implements Clock {
  private timers: { when: number; fn: () => void; id: number }[] = [];
  private nextId = 0;

  constructor(private current = Date.UTC(2026, 10, 25, 9, 0, 0)) {}

  now(): number {
    return this.current;
  }

  at(when: number, fn: () => void): () => void {
    const id = this.nextId++;
    this.timers.push({ when, fn, id });
    return () => {
      this.timers = this.timers.filter((t) => t.id !== id);
    };
  }

  /** Moves time forward by ms, firing every timer that falls due on the way. */
  advance(ms: number): void {
    this.set(this.current + ms);
  }

  set(time: number): void {
    for (;;) {
      const due = this.timers.filter((t) => t.when <= time).sort((a, b) => a.when - b.when)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.current = Math.max(this.current, due.when);
      due.fn();
    }
    this.current = time;
  }

  get pendingTimers(): number {
    return this.timers.length;
  }
}
