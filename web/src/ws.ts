/** WebSocket to /api/ws: parses ServerMessages, reconnects with back-off until told the session expired. */
import type { ServerMessage } from '../../src/api/contract.js';
import { parseServerFrame } from './messages.js';

export interface SocketHandlers {
  onMessage(msg: ServerMessage, receivedAt: number): void;
  onStatus(online: boolean): void;
  /** called when the socket closed unexpectedly; resolve false to stop reconnecting (e.g. token rejected) */
  shouldReconnect(): Promise<boolean>;
  onBadFrame?(raw: unknown): void;
}

export class NodeSocket {
  private ws: WebSocket | undefined;
  private stopped = false;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly url: string,
    private readonly handlers: SocketHandlers,
  ) {}

  start(): void {
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.ws?.close(1000);
    this.ws = undefined;
  }

  private open(): void {
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onopen = () => {
      this.attempt = 0;
      this.handlers.onStatus(true);
    };
    ws.onmessage = (ev) => {
      const now = performance.now();
      const { messages, bad } = parseServerFrame(ev.data);
      if (bad > 0) this.handlers.onBadFrame?.(ev.data);
      for (const msg of messages) {
        if (msg.t === 'expired') this.stopped = true;
        this.handlers.onMessage(msg, now);
      }
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.handlers.onStatus(false);
      if (this.stopped) return;
      const delay = Math.min(10_000, 500 * 2 ** this.attempt++);
      this.timer = setTimeout(() => {
        void this.handlers.shouldReconnect().then((ok) => {
          if (ok && !this.stopped) this.open();
        });
      }, delay);
    };
  }
}

export function wsUrl(token: string, loc: Location = location): string {
  const proto = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${loc.host}/api/ws?token=${encodeURIComponent(token)}`;
}
