// The service's Server-Sent Events, read over fetch (so the Bearer header can be sent), with
// reconnection and exponential back-off when the stream drops.
import { ApiError } from './api-errors.js';

export interface ServiceEvent {
  type: string;
  data: unknown;
}

/** Splits an SSE byte stream into events (https://html.spec.whatwg.org/#event-stream-interpretation). */
export async function* readServerSentEvents(body: AsyncIterable<Uint8Array | string>): AsyncGenerator<ServiceEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  let type = '';
  let data: string[] = [];
  for await (const chunk of body) {
    buffer += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
      if (line === '') {
        if (data.length > 0) yield { type: type || 'message', data: parseData(data.join('\n')) };
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
  connect: (signal: AbortSignal) => Promise<Response>;
  onEvent: (event: ServiceEvent) => void;
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

/** Keeps one event stream open until disposed. */
export class EventStream {
  private readonly abort = new AbortController();
  private running?: Promise<void>;

  constructor(private readonly options: EventStreamOptions) {}

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
        const response = await this.options.connect(signal);
        if (!response.body) throw new ApiError('UNAVAILABLE', 'The event stream has no body.', response.status);
        this.options.onStatus('connected');
        attempt = 0;
        for await (const event of readServerSentEvents(response.body as unknown as AsyncIterable<Uint8Array>)) {
          this.options.onEvent(event);
        }
        if (!signal.aborted) this.options.onStatus('disconnected');
      } catch (error) {
        if (signal.aborted) return;
        this.options.onStatus('disconnected', error);
      }
      await sleep(backoffDelay(attempt++, this.options.initialDelayMs, this.options.maxDelayMs), signal).catch(() => undefined);
    }
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
