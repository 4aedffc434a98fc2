// The service's Server-Sent Events, read over fetch (so the Bearer header can be sent), with
// reconnection and exponential back-off when the stream drops. The service replays what a
// client missed after the `Last-Event-ID` it sends, so the last id seen is kept and sent back.
// Each event is checked against its schema in the contract before anyone sees it: consumers
// switch on `type` and get the payload typed.
import { readEvent, type EventType, type TypedEvent } from '../../contract/events.js';
import { ApiError } from './api-errors.js';

/** One message of an SSE stream, as the stream carries it: any name, any data. */
export interface ServerSentEvent {
  type: string;
  data: unknown;
  /** The SSE `id:` the service gave it; absent from services that do not replay. */
  id?: string;
}

/** A service event by its name, with the payload its schema guarantees. */
export type ServiceEvent = TypedEvent & { id?: string };

/** The events of the names given. */
export type EventOf<K extends EventType> = Extract<ServiceEvent, { type: K }>;

/** Splits an SSE byte stream into events (https://html.spec.whatwg.org/#event-stream-interpretation). */
export async function* readServerSentEvents(body: AsyncIterable<Uint8Array | string>): AsyncGenerator<ServerSentEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  let type = '';
  let data: string[] = [];
  // Per the spec the last id carries over to later events that name none.
  let lastId: string | undefined;
  for await (const chunk of body) {
    buffer += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
      if (line === '') {
        if (data.length > 0) yield { type: type || 'message', data: parseData(data.join('\n')), ...(lastId === undefined ? {} : { id: lastId }) };
        type = '';
        data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const name = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (name === 'event') type = value;
      else if (name === 'data') data.push(value);
      else if (name === 'id' && !value.includes('\0')) lastId = value || undefined;
    }
  }
}

function parseData(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export type StreamStatus = 'connecting' | 'connected' | 'disconnected';

export interface EventStreamOptions {
  /** `lastEventId` is the id of the last event delivered, for the service to replay what came after it. */
  connect: (signal: AbortSignal, lastEventId: string | undefined) => Promise<Response>;
  /** Called once per event id: a replay overlapping what was already delivered is dropped. */
  onEvent: (event: ServiceEvent) => void;
  /** An event of a name the extension does not know, or whose payload its schema refuses: skipped, and said why. */
  onSkipped: (problem: string) => void;
  /** Where the previous session (a window before a reload) stopped. */
  lastEventId?: string;
  onStatus: (status: StreamStatus, error?: unknown) => void;
  /** Waits between attempts; injectable so tests need no wall-clock sleeps. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  initialDelayMs?: number;
  maxDelayMs?: number;
}

/** Delay before reconnect attempt `attempt` (0-based): doubles, capped. */
export function backoffDelay(attempt: number, initialMs = 1000, maxMs = 30_000): number {
  return Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 20));
}

/** How many delivered ids are remembered to drop duplicates; a replay is at most this far behind. */
const SEEN_IDS = 1000;

/** Keeps one event stream open until disposed. */
export class EventStream {
  private readonly abort = new AbortController();
  private running?: Promise<void>;
  private lastId?: string;
  private readonly seen = new Set<string>();

  constructor(private readonly options: EventStreamOptions) {
    this.lastId = options.lastEventId;
  }

  /** The id of the last event delivered (or the one the stream started from). */
  get lastEventId(): string | undefined {
    return this.lastId;
  }

  start(): void {
    this.running ??= this.loop();
  }

  async dispose(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  private async loop(): Promise<void> {
    const { signal } = this.abort;
    const sleep = this.options.sleep ?? abortableSleep;
    let attempt = 0;
    while (!signal.aborted) {
      this.options.onStatus('connecting');
      try {
        const response = await this.options.connect(signal, this.lastId);
        if (!response.body) throw new ApiError('UNAVAILABLE', 'The event stream has no body.', response.status);
        this.options.onStatus('connected');
        attempt = 0;
        for await (const event of readServerSentEvents(response.body as unknown as AsyncIterable<Uint8Array>)) {
          this.deliver(event);
        }
        if (!signal.aborted) this.options.onStatus('disconnected');
      } catch (error) {
        if (signal.aborted) return;
        this.options.onStatus('disconnected', error);
      }
      await sleep(backoffDelay(attempt++, this.options.initialDelayMs, this.options.maxDelayMs), signal).catch(() => undefined);
    }
  }

  private deliver({ type, data, id }: ServerSentEvent): void {
    if (id !== undefined) {
      if (this.seen.has(id)) return;
      this.seen.add(id);
      if (this.seen.size > SEEN_IDS) this.seen.delete(this.seen.values().next().value as string);
      // Past a skipped event too: asked for again, it would be skipped again.
      this.lastId = id;
    }
    const read = readEvent(type, data);
    if ('problem' in read) this.options.onSkipped(`${read.problem}${id === undefined ? '' : ` (#${id})`}`);
    else this.options.onEvent(id === undefined ? read.event : { ...read.event, id });
  }
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new Error('aborted'));
    }, { once: true });
  });
}
