import net from 'node:net';

/** What a test does to a link through `startProxy`: what a broken or hostile network does to a connection. */
export interface LinkProxy {
  port: number;
  /** connections accepted so far (a redial is a new one) */
  readonly accepted: number;
  /** connections open now */
  readonly open: number;
  /** connections cut so far (by `cut` or by the byte budget) */
  readonly cuts: number;
  /** bytes forwarded client -> target since the last `choke` */
  readonly forwarded: number;
  /** cuts every connection now; new ones are accepted */
  cut(): void;
  /** forwards at most `budget` more bytes client -> target, then cuts every connection and refuses new ones */
  choke(budget: number): void;
  /** lifts `choke`: forwards and accepts again */
  resume(): void;
  /** random bytes into the stream towards the dialer ('client') or towards the listener ('upstream') */
  inject(toward: 'client' | 'upstream', bytes?: number): void;
  /** forwards half of the next chunk (either direction), then cuts that connection */
  truncateNext(): void;
  /** holds every byte, also on new connections, without closing anything */
  stall(): void;
  /** lifts `stall` and a pending `truncateNext` */
  heal(): void;
  close(): Promise<void>;
}

/** The one TCP proxy of the tests, on 127.0.0.1 in front of `target()`: cuts, byte budgets, garbage, truncation, stalls. */
export async function startProxy(target: () => number): Promise<LinkProxy> {
  type Pair = { client: net.Socket; upstream: net.Socket };
  const pairs = new Set<Pair>();
  const st = { accepted: 0, cuts: 0, forwarded: 0, budget: Infinity, blocked: false, stalled: false, truncateNext: false };
  const end = (p: Pair) => {
    p.client.destroy();
    p.upstream.destroy();
    pairs.delete(p);
  };
  const cutAll = () => {
    st.cuts++;
    for (const p of pairs) end(p);
  };
  const forward = (p: Pair, from: net.Socket, to: net.Socket, budgeted: boolean) =>
    from.on('data', (chunk: Buffer) => {
      if (budgeted) {
        st.forwarded += chunk.length;
        if (st.forwarded > st.budget) {
          st.blocked = true;
          cutAll();
          return;
        }
      }
      if (st.truncateNext && chunk.length > 1) {
        st.truncateNext = false;
        to.write(chunk.subarray(0, chunk.length >> 1), () => end(p));
        return;
      }
      // backpressure as pipe() would: stop reading while the other side is behind (a stall keeps it stopped)
      if (!to.write(chunk)) {
        from.pause();
        to.once('drain', () => void (st.stalled || from.resume()));
      }
    });
  const server = net.createServer((client) => {
    if (st.blocked) return void client.destroy();
    st.accepted++;
    const p: Pair = { client, upstream: net.connect(target(), '127.0.0.1') };
    pairs.add(p);
    forward(p, client, p.upstream, true);
    forward(p, p.upstream, client, false);
    if (st.stalled) {
      client.pause();
      p.upstream.pause();
    }
    for (const s of [client, p.upstream]) s.on('error', () => end(p)).on('close', () => end(p));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    get accepted() {
      return st.accepted;
    },
    get open() {
      return pairs.size;
    },
    get cuts() {
      return st.cuts;
    },
    get forwarded() {
      return st.forwarded;
    },
    cut: cutAll,
    choke(budget) {
      st.forwarded = 0;
      st.budget = budget;
    },
    resume() {
      st.budget = Infinity;
      st.blocked = false;
    },
    inject(toward, bytes = 64) {
      const junk = Buffer.from(Array.from({ length: bytes }, () => Math.floor(Math.random() * 256)));
      for (const p of pairs) p[toward].write(junk);
    },
    truncateNext() {
      st.truncateNext = true;
    },
    stall() {
      st.stalled = true;
      for (const p of pairs) {
        p.client.pause();
        p.upstream.pause();
      }
    },
    heal() {
      st.stalled = false;
      st.truncateNext = false;
      for (const p of pairs) {
        p.client.resume();
        p.upstream.resume();
      }
    },
    close: () =>
      new Promise<void>((r) => {
        for (const p of pairs) end(p);
        server.close(() => r());
      }),
  };
}
