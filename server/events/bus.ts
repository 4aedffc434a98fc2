// In-process fan-out of events to the users they concern (the SSE endpoint subscribes here).
// Events reach the bus only after the change that caused them committed, with the id under
// which the ledger recorded them for that user, so a live event and a replayed one agree.
import type { DeliveredEvent, EventType } from '../../contract/events.js';

/** What a listener gets: an event name with its payload type (contract/events.ts), and its id. */
export type ServiceEvent = DeliveredEvent;

type Listener = (event: ServiceEvent) => void;

/** What the domain and the routes need from event delivery (one process, or replicas on one store). */
export interface Events {
  /** Calls the listener with the user's events committed from now on; returns the unsubscribe. */
  subscribe(user: string, listener: Listener): () => void;
  /**
   * Hands over an event the ledger recorded for the user in a change that just committed;
   * settles once this process's subscribers have it (the change answers after that).
   */
  deliver(user: string, event: DeliveredEvent): void | Promise<void>;
  readonly subscriberCount: number;
}

export class EventBus implements Events {
  private readonly listeners = new Map<string, Set<Listener>>();

  subscribe(user: string, listener: Listener): () => void {
    let set = this.listeners.get(user);
    if (!set) this.listeners.set(user, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(user);
    };
  }

  deliver(user: string, event: DeliveredEvent): void {
    for (const listener of this.listeners.get(user) ?? []) listener(event);
  }

  get subscriberCount(): number {
    let n = 0;
    for (const set of this.listeners.values()) n += set.size;
    return n;
  }
}
