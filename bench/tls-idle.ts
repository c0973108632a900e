/**
 * Shared by the idle-TLS benchmarks (tls-floor, tls-session-tickets): a server child that reports its RSS
 * after full GCs when asked, and a client child that opens N idle TLS connections.
 */
import { readFileSync } from 'node:fs';
import type net from 'node:net';
import tls from 'node:tls';

/** this process's resident set, KiB */
export const rssKib = (): number => Number(readFileSync('/proc/self/status', 'utf8').match(/^VmRSS:\s+(\d+) kB/m)![1]);

const send = (m: unknown): void => void process.send!(m);

/**
 * Listens on a free loopback port, tells the parent `{ port }`, then answers each message with `{ rss }`
 * measured after two full GCs (needs --expose-gc), so what is left is what the connections hold.
 */
export async function serveRssOnRequest(srv: net.Server): Promise<void> {
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const gc = (globalThis as { gc?: () => void }).gc!;
  process.on('message', () => {
    gc();
    setTimeout(() => (gc(), send({ rss: rssKib() })), 500);
  });
  send({ port: (srv.address() as net.AddressInfo).port });
}

/** Opens `n` TLS connections, 50 handshakes at a time, and keeps them open and idle (reading, never writing). */
export async function openIdleTlsClients(n: number, opts: tls.ConnectionOptions, each?: (s: tls.TLSSocket) => void): Promise<tls.TLSSocket[]> {
  const socks: tls.TLSSocket[] = [];
  for (let i = 0; i < n; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, n - i) }, () =>
        new Promise<void>((ok, fail) => {
          const c = tls.connect(opts, ok);
          c.on('error', fail).resume();
          each?.(c);
          socks.push(c);
        }),
      ),
    );
  }
  return socks;
}
