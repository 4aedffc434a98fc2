// One user cannot starve the others. Statements on an instance are admitted through a fair
// queue: a user holds at most `perUser` statements (running or waiting) on an instance, and a
// statement over that share is refused at once with RESOURCE_EXHAUSTED (429, Retry-After)
// instead of taking a session from someone else. When every slot of the instance is busy,
// waiting statements are admitted round-robin across users, so one user's backlog never
// stands in front of another user's single statement. Waiting is bounded by the statement's
// time limit, as waiting for a database session was.
import { DomainError } from './errors.js';

export interface Admission {
  /** Gives the slot back; safe to call more than once. */
  release(): void;
}

interface Waiter {
  admit: () => void;
}

export interface FairShareLimits {
  /** Statements running at once on one instance. */
  slots: number;
  /** Statements one user may have running or waiting on one instance. */
  perUser: number;
}

/** Seconds a refused user is told to wait: about the time a short statement takes to finish. */
const RETRY_AFTER_SECONDS = 2;

/** One fair queue per instance. */
export class FairShare {
  private readonly queues = new Map<string, FairQueue>();

  acquire(instance: string, user: string, limits: FairShareLimits, timeoutMs: number, signal?: AbortSignal): Promise<Admission> {
    let queue = this.queues.get(instance);
    if (!queue) this.queues.set(instance, (queue = new FairQueue()));
    return queue.acquire(user, limits, timeoutMs, signal);
  }
}

export class FairQueue {
  private running = 0;
  /** Statements running or waiting, per user. */
  private readonly held = new Map<string, number>();
  /** Waiting statements per user; Map order is the round-robin order of users. */
  private readonly waiting = new Map<string, Waiter[]>();

  async acquire(user: string, limits: FairShareLimits, timeoutMs: number, signal?: AbortSignal): Promise<Admission> {
    const mine = this.held.get(user) ?? 0;
    if (mine >= limits.perUser) {
      throw new DomainError(
        'RESOURCE_EXHAUSTED',
        `You already have ${mine} statements running or waiting on this instance (the limit per user is ${limits.perUser}); wait for one to finish`,
        { retryAfterSeconds: RETRY_AFTER_SECONDS },
      );
    }
    this.held.set(user, mine + 1);
    let released = false;
    const admission: Admission = {
      release: () => {
        if (released) return;
        released = true;
        this.running--;
        this.forget(user);
        this.admitNext(limits);
      },
    };
    if (this.running < limits.slots && this.waiting.size === 0) {
      this.running++;
      return admission;
    }
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        admit: () => {
          cleanup();
          this.running++;
          resolve();
        },
      };
      const giveUp = (error: DomainError) => {
        cleanup();
        this.dequeue(user, waiter);
        this.forget(user);
        reject(error);
      };
      const timer = setTimeout(
        () => giveUp(new DomainError('DEADLINE_EXCEEDED', `Every session of this instance stayed busy for the statement's time limit (${timeoutMs} ms); try again`)),
        timeoutMs,
      );
      const onAbort = () => giveUp(new DomainError('FAILED_PRECONDITION', 'The statement was cancelled while it waited for a session'));
      const cleanup = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const queue = this.waiting.get(user);
      if (queue) queue.push(waiter);
      else this.waiting.set(user, [waiter]);
    });
    return admission;
  }

  private admitNext(limits: FairShareLimits) {
    while (this.running < limits.slots) {
      const next = this.waiting.entries().next();
      if (next.done) return;
      const [user, queue] = next.value;
      const waiter = queue.shift()!;
      // The user goes to the back of the round: others with waiting statements come first.
      this.waiting.delete(user);
      if (queue.length > 0) this.waiting.set(user, queue);
      waiter.admit();
    }
  }

  private dequeue(user: string, waiter: Waiter) {
    const queue = this.waiting.get(user);
    if (!queue) return;
    const rest = queue.filter((w) => w !== waiter);
    if (rest.length > 0) this.waiting.set(user, rest);
    else this.waiting.delete(user);
  }

  private forget(user: string) {
    const n = (this.held.get(user) ?? 1) - 1;
    if (n > 0) this.held.set(user, n);
    else this.held.delete(user);
  }
}
