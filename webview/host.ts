// The page's side of the protocol: typed send and receive over the webview message channel.
import type { HostMessage, PageMessage } from './protocol.js';

interface VsCodeApi {
  postMessage(message: PageMessage): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export interface Host {
  send(message: PageMessage): void;
  /** `receivedAt` is when the message arrived (performance.now() time), before its data was read. */
  onMessage(handler: (message: HostMessage, receivedAt: number) => void): void;
}

export function connectHost(): Host {
  const api = acquireVsCodeApi();
  return {
    send: (message) => api.postMessage(message),
    onMessage: (handler) => window.addEventListener('message', (event: MessageEvent<HostMessage>) => handler(event.data, event.timeStamp)),
  };
}
