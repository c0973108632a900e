import net from 'node:net';

/** What a test does to a link through `startProxy`. */
export interface LinkProxy {
  port: number;
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
  close(): Promise<void>;
}

/** A TCP proxy on 127.0.0.1 that can cut every connection mid-stream (the link fault), also after N bytes. */
export async function startProxy(target: () => number): Promise<LinkProxy> {
  const socks = new Set<net.Socket>();
  const st = { cuts: 0, forwarded: 0, budget: Infinity, blocked: false };
  const cutAll = () => {
    st.cuts++;
    for (const s of socks) s.destroy();
  };
  const server = net.createServer((client) => {
    if (st.blocked) return void client.destroy();
    const upstream = net.connect(target(), '127.0.0.1');
    socks.add(client).add(upstream);
    client.on('data', (b: Buffer) => {
      st.forwarded += b.length;
      if (st.forwarded > st.budget) {
        st.blocked = true;
        cutAll();
        return;
      }
      // backpressure as pipe() would: stop reading while the target is behind
      if (!upstream.write(b)) {
        client.pause();
        upstream.once('drain', () => client.resume());
      }
    });
    upstream.pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
      socks.delete(client);
      socks.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
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
    close: () =>
      new Promise<void>((r) => {
        for (const s of socks) s.destroy();
        server.close(() => r());
      }),
  };
}
