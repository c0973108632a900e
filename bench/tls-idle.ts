/**
 * Shared by the idle-TLS benchmarks (tls-floor, tls-session-tickets): a server child that reports its RSS
 * after full GCs when asked, and a client child that opens N idle TLS connections.
 */
import { fork } from 'node:child_process';
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

const next = <T>(p: ReturnType<typeof fork>): Promise<T> => new Promise((r) => p.once('message', (m) => r(m as T)));

/**
 * One measurement: forks `script` as the server (`serverArgs`, with --expose-gc) and as the clients
 * (`clientArgs` plus `--n n --port P`), and returns the server's RSS growth per connection (KiB) with what the
 * clients reported once connected.
 */
export async function rssPerConnection<R>(script: string, serverArgs: string[], clientArgs: string[], n: number, env = process.env): Promise<{ kib: number; clients: R }> {
  const s = fork(script, serverArgs, { env, execArgv: ['--expose-gc', '--import', 'tsx'] });
  const { port } = await next<{ port: number }>(s);
  s.send('rss');
  const before = (await next<{ rss: number }>(s)).rss;
  const cl = fork(script, [...clientArgs, '--n', String(n), '--port', String(port)], { env, execArgv: ['--import', 'tsx'] });
  const clients = await next<R>(cl);
  s.send('rss');
  const after = (await next<{ rss: number }>(s)).rss;
  cl.kill();
  s.kill();
  return { kib: (after - before) / n, clients };
}
