// In-process fan-out of events to the users they concern (the SSE endpoint subscribes here).
export const EVENT_TYPES = [
  'request.created',
  'request.approved',
  'request.rejected',
  'request.canceled',
  'request.expired',
  'grant.activated',
  'grant.expiring',
  'grant.expired',
  'grant.revoked',
  'role.activated',
  'role.expiring',
  'role.expired',
  'role.revoked',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface ServiceEvent {
  type: EventType;
  data: Record<string, unknown>;
}

type Listener = (event: ServiceEvent) => void;

export class EventBus {
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

  publish(users: Iterable<string>, event: ServiceEvent): void {
    for (const user of new Set(users)) {
      for (const listener of this.listeners.get(user) ?? []) listener(event);
    }
  }

  get subscriberCount(): number {
    let n = 0;
    for (const set of this.listeners.values()) n += set.size;
    return n;
  }
}
