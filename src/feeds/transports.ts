/**
 * Where feed bytes come from: UDP datagrams, a TCP connection to a receiver (reconnecting with backoff),
 * a TCP listener receivers connect to, or an aircraft.json polled over HTTP or from a file. Line input
 * is split with a bound on line length; documents are bounded in size. Transports never throw at their
 * caller: failures become state changes and counts.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { readFile, stat } from 'node:fs/promises';
import type { FeedConfig } from './config.js';
import { MAX_LINE_CHARS } from './nmea.js';
import { Backoff } from './rate.js';

export interface TransportSink {
  /** one text line (without its line end); `source` names the sender (UDP address, TCP connection) */
  line?(line: string, source?: string): void;
  /** one parsed JSON document */
  document?(doc: unknown): void;
  /** a line too long, a document too large or not JSON */
  bad(): void;
  state(connected: boolean, error?: string): void;
}

export interface Transport {
  start(): Promise<void>;
  /** the bound port of a listening transport */
  readonly port?: number;
  /** tcp-server: connections refused by the limits */
  readonly refused?: number;
  close(): Promise<void>;
}

export const MAX_DOCUMENT_BYTES = 16 * 1024 * 1024;

/** Splits a byte stream into lines; an over-long line is dropped whole (counted once). */
export class LineSplitter {
  private rest = '';
  private skipping = false;
  constructor(
    private readonly sink: TransportSink,
    private readonly max = MAX_LINE_CHARS,
    private readonly source?: string,
  ) {}

  push(chunk: Buffer | string): void {
    const text = this.rest + (typeof chunk === 'string' ? chunk : chunk.toString('latin1'));
    let from = 0;
    for (;;) {
      const nl = text.indexOf('\n', from);
      if (nl < 0) break;
      const end = nl > from && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      if (this.skipping) this.skipping = false;
      else if (end - from > this.max) this.sink.bad();
      else if (end > from) this.sink.line?.(text.slice(from, end), this.source);
      from = nl + 1;
    }
    this.rest = text.slice(from);
    // a line of exactly `max` characters may wait for its '\n' with its '\r' already here
    if (this.rest.length > (this.rest.endsWith('\r') ? this.max + 1 : this.max)) {
      if (!this.skipping) this.sink.bad();
      this.skipping = true;
      this.rest = '';
    }
  }

  /** end of a datagram or connection: what is left is a line */
  flush(): void {
    if (this.rest && !this.skipping) this.sink.line?.(this.rest.replace(/\r$/, ''), this.source);
    this.rest = '';
    this.skipping = false;
  }
}

export function openTransport(f: FeedConfig, sink: TransportSink): Transport {
  switch (f.transport) {
    case 'udp':
      return udp(f, sink);
    case 'tcp-client':
      return tcpClient(f, sink);
    case 'tcp-server':
      return tcpServer(f, sink);
    default:
      return poller(f, sink);
  }
}

function udp(f: FeedConfig, sink: TransportSink): Transport {
  const sock = dgram.createSocket({ type: f.host.includes(':') ? 'udp6' : 'udp4' });
  const t = {
    port: undefined as number | undefined,
    async start() {
      sock.on('message', (msg, from) => {
        // multi-part sentences are joined per sender: one receiver's fragments never complete another's
        const s = new LineSplitter(sink, MAX_LINE_CHARS, `${from.address}:${from.port}`);
        s.push(msg);
        s.flush();
      });
      sock.on('error', (err) => sink.state(false, err.message));
      await new Promise<void>((resolve, reject) => {
        sock.once('error', reject);
        sock.bind(f.port, f.host, () => {
          sock.off('error', reject);
          resolve();
        });
      });
      t.port = sock.address().port;
      sink.state(true);
    },
    async close() {
      await new Promise<void>((r) => sock.close(() => r()));
    },
  };
  return t;
}

/** a receiver address that does not answer (dropped SYNs) is retried after this, not after the OS's ~2 min */
const CONNECT_TIMEOUT_MS = 10_000;

function tcpClient(f: FeedConfig, sink: TransportSink): Transport {
  const backoff = new Backoff();
  let socket: net.Socket | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const connect = (): void => {
    if (closed) return;
    const splitter = new LineSplitter(sink);
    const s = net.connect({ host: f.host, port: f.port! });
    socket = s;
    let lastError: string | undefined;
    s.setKeepAlive(true, 30_000);
    s.setTimeout(CONNECT_TIMEOUT_MS, () => s.destroy(new Error('connect timed out')));
    s.on('connect', () => {
      s.setTimeout(0);
      sink.state(true);
    });
    s.on('data', (c: Buffer) => {
      // data, not the connect, is success: a source that accepts and drops at once is retried ever more slowly
      backoff.reset();
      splitter.push(c);
    });
    s.on('error', (err) => void (lastError = err.message));
    s.on('close', () => {
      splitter.flush();
      if (closed) return;
      const wait = backoff.next();
      sink.state(false, `${lastError ?? 'disconnected'}; next try in ${wait / 1000} s`);
      timer = setTimeout(connect, wait);
    });
  };
  return {
    async start() {
      connect();
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      socket?.destroy();
    },
  };
}

function tcpServer(f: FeedConfig, sink: TransportSink): Transport {
  const clients = new Set<net.Socket>();
  const perAddress = new Map<string, number>();
  const server = net.createServer((s) => {
    const from = s.remoteAddress ?? '';
    const mine = perAddress.get(from) ?? 0;
    // one host cannot hold every slot (idle connections would lock the real receivers out)
    if (clients.size >= f.maxConnections || mine >= f.maxConnectionsPerAddress) {
      t.refused++;
      s.destroy();
      return;
    }
    perAddress.set(from, mine + 1);
    clients.add(s);
    sink.state(true);
    const splitter = new LineSplitter(sink, MAX_LINE_CHARS, `${s.remoteAddress}:${s.remotePort}`);
    s.on('data', (c: Buffer) => splitter.push(c));
    s.on('error', () => undefined);
    s.on('close', () => {
      splitter.flush();
      clients.delete(s);
      const left = (perAddress.get(from) ?? 1) - 1;
      if (left > 0) perAddress.set(from, left);
      else perAddress.delete(from);
      if (clients.size === 0) sink.state(false, 'no sender connected');
    });
  });
  const t = {
    port: undefined as number | undefined,
    refused: 0,
    async start() {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(f.port, f.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      t.port = (server.address() as net.AddressInfo).port;
      sink.state(false, 'no sender connected');
    },
    async close() {
      for (const c of clients) c.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  return t;
}

async function fetchDocument(f: FeedConfig): Promise<string> {
  if (f.transport === 'file') {
    const st = await stat(f.path!);
    if (st.size > MAX_DOCUMENT_BYTES) throw new Error('document too large');
    return readFile(f.path!, 'utf8');
  }
  const res = await fetch(f.url!, { signal: AbortSignal.timeout(Math.max(2000, f.pollMs * 2)), redirect: 'error' });
  if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of res.body as AsyncIterable<Uint8Array>) {
    size += c.byteLength;
    if (size > MAX_DOCUMENT_BYTES) throw new Error('document too large');
    chunks.push(Buffer.from(c));
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** aircraft.json over HTTP or from a file, every pollMs; failures back off up to 30 s. */
function poller(f: FeedConfig, sink: TransportSink): Transport {
  const backoff = new Backoff(f.pollMs, 30_000);
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const poll = async (): Promise<void> => {
    let wait = f.pollMs;
    try {
      const text = await fetchDocument(f);
      let doc: unknown;
      try {
        doc = JSON.parse(text);
      } catch {
        sink.bad();
        doc = undefined;
      }
      sink.state(true);
      backoff.reset();
      if (doc !== undefined) sink.document?.(doc);
    } catch (err) {
      sink.state(false, (err as Error).message);
      wait = backoff.next();
    }
    if (!closed) timer = setTimeout(() => void poll(), wait);
  };
  return {
    async start() {
      void poll();
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
    },
  };
}
