/**
 * The load of bench/fanout: N plain-TCP clients in full mesh, each sending R events per second; every
 * `mix`-th event of a client is traffic that may never be skipped (chat b-t-f, alert b-a-o-tbl, delete
 * t-x-d-d in turn), the rest are positions (a-f-G-U-C, one uid per client). Optional extra clients
 * connect and never read. Counts only deliveries of events SENT inside the measured window.
 */
import net from 'node:net';

export interface LoadOptions {
  port: number;
  clients: number;
  rate: number;
  seconds: number;
  /** every mix-th event of a client is chat/alert/delete (0 = positions only) */
  mix: number;
  /** extra clients that connect and never read */
  stuck: number;
  /**
   * every parseEvery-th client parses what it reads (ages, counts); the others read and discard it, so the
   * server's work is the same and the generator's is a fraction (default 1: every client parses)
   */
  parseEvery?: number;
  /** longest wait after the window for late chat/alert/delete deliveries (at least 3 s) */
  maxDrainS: number;
  /** called once all clients are connected, before any sends */
  onConnected?(): Promise<void> | void;
  /** called when the measured window opens and closes */
  onWindow?(phase: 'start' | 'end'): void;
}

export interface LoadResult {
  elapsedS: number;
  positionsSent: number;
  positionsDelivered: number;
  /** ages (ms) of a sample of delivered positions, sorted */
  ages: number[];
  fixedSent: number;
  fixedDelivered: number;
  /** deliveries the parsing clients should see of the positions / other events sent in the window */
  positionsExpected: number;
  fixedExpected: number;
  /** reading clients the server closed during the run */
  readersDropped: number;
}

const MARK = Buffer.from('<bench k="');
const END = Buffer.from('</event>');
/** a delete reaches clients as the node's tombstone of its target (its own detail is not kept) */
const TOMBSTONE = Buffer.from('<__forcedelete/>');
const UID = Buffer.from(' uid="');

/** `counted`: sent inside the window; marked in the event itself so both sides count the same events */
function event(i: number, n: number, t: number, mix: number, counted: boolean): { xml: string; fixed: boolean; deletes?: string } {
  const iso = new Date(t).toISOString();
  const stale = new Date(t + 30_000).toISOString();
  const head = (uid: string, type: string) =>
    `<event version="2.0" uid="${uid}" type="${type}" how="m-g" time="${iso}" start="${iso}" stale="${stale}"><point lat="35.1" lon="139.2" hae="0" ce="10" le="10"/><detail>`;
  if (mix > 0 && n % mix === mix - 1) {
    const kind = Math.floor(n / mix) % 3;
    const body =
      kind === 0
        ? head(`GeoChat.bench-${i}.All Chat Rooms.${n}`, 'b-t-f') + `<__chat chatroom="All Chat Rooms" id="All Chat Rooms" senderCallsign="bench-${i}"/><remarks>message ${n}</remarks>`
        : kind === 1
          ? head(`bench-${i}-alert-${n}`, 'b-a-o-tbl') + `<emergency type="911 Alert">bench-${i}</emergency>`
          : // deletes the alert this client sent `mix` events earlier: a delete of a uid that does not exist (or
            // that another client owns) is refused by the write authority and never fanned out
            head(`bench-${i}-del-${n}`, 't-x-d-d') + `<link uid="bench-${i}-alert-${n - mix}" type="b-a-o-tbl" relation="p-p"/>`;
    return { xml: `${body}<bench k="${counted ? 'f' : 'F'}" t="${t}"/></detail></event>`, fixed: true, ...(kind === 2 ? { deletes: `bench-${i}-alert-${n - mix}` } : {}) };
  }
  return { xml: `${head(`bench-${i}`, 'a-f-G-U-C')}<contact callsign="bench-${i}"/><bench k="${counted ? 's' : 'S'}" t="${t}"/></detail></event>`, fixed: false };
}

/** the receive buffer of every client that reads and discards (single-threaded: its content is never looked at) */
const DISCARD = Buffer.allocUnsafe(256 * 1024);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const socks: net.Socket[] = [];
  const ages: number[] = [];
  const win = { start: Infinity, end: Infinity };
  const r: LoadResult = { elapsedS: 0, positionsSent: 0, positionsDelivered: 0, ages, fixedSent: 0, fixedDelivered: 0, positionsExpected: 0, fixedExpected: 0, readersDropped: 0 };
  const parseEvery = Math.max(1, o.parseEvery ?? 1);
  const parses = (i: number) => i % parseEvery === 0;
  const parsers = Math.ceil(o.clients / parseEvery);
  let stopping = false;
  /** target uid of each delete sent inside the window → whether it counts (tombstones carry no <bench>) */
  const deletes = new Map<string, boolean>();
  const onTombstone = (buf: Buffer, from: number, end: number) => {
    const u = buf.indexOf(UID, from);
    if (u < 0 || u > end) return;
    const uid = buf.toString('latin1', u + UID.length, buf.indexOf(0x22, u + UID.length));
    if (deletes.get(uid)) r.fixedDelivered++;
  };
  const onEvent = (buf: Buffer, m: number) => {
    const kind = buf[m + MARK.length]; // s/f: position/other sent inside the window; S/F: outside
    if (kind !== 0x73 && kind !== 0x66) return;
    const fixed = kind === 0x66;
    const tAt = m + MARK.length + 6; // `f" t="`
    const t = Number(buf.toString('latin1', tAt, buf.indexOf(0x22, tAt)));
    if (fixed) r.fixedDelivered++;
    else if ((++r.positionsDelivered & 3) === 0) ages.push(Date.now() - t);
  };
  for (let i = 0; i < o.clients + o.stuck; i++) {
    // Clients that only read and discard share one receive buffer (net's `onread`): no allocation per read,
    // so the generator's own CPU (it shares the machine with the node) goes to sending and parsing.
    const discards = i < o.clients && !parses(i);
    const s = discards ? net.connect({ port: o.port, host: '127.0.0.1', onread: { buffer: DISCARD, callback: () => true } }) : net.connect(o.port, '127.0.0.1');
    s.setNoDelay(true);
    s.on('error', () => undefined);
    await new Promise<void>((res) => s.once('connect', () => res()));
    if (i >= o.clients) {
      s.pause(); // never reads
      socks.push(s);
      continue;
    }
    s.on('close', () => {
      if (!stopping) r.readersDropped++;
    });
    socks.push(s);
    if (discards) continue; // reads into DISCARD from the start
    let rest: Buffer = Buffer.alloc(0);
    s.on('data', (chunk: Buffer) => {
      const buf = rest.length ? Buffer.concat([rest, chunk]) : chunk;
      let from = 0;
      let end: number;
      while ((end = buf.indexOf(END, from)) >= 0) {
        const m = buf.indexOf(MARK, from);
        if (m >= 0 && m < end) onEvent(buf, m);
        else if (buf.indexOf(TOMBSTONE, from) >= 0 && buf.indexOf(TOMBSTONE, from) < end) onTombstone(buf, from, end);
        from = end + END.length;
      }
      rest = buf.subarray(from);
    });
  }
  await o.onConnected?.();
  const periodMs = 1000 / o.rate;
  const timers: NodeJS.Timeout[] = [];
  for (let i = 0; i < o.clients; i++) {
    const s = socks[i]!;
    let n = o.mix > 0 ? i % o.mix : 0; // clients reach their chat/alert/delete turns at different times
    const tick = () => {
      const t = Date.now();
      const counted = t >= win.start && t < win.end;
      const ev = event(i, n++, t, o.mix, counted);
      s.write(ev.xml);
      if (!counted) return;
      // every parsing client but the sender should receive it
      const expected = parsers - (parses(i) ? 1 : 0);
      if (ev.deletes) deletes.set(ev.deletes, true);
      if (ev.fixed) {
        r.fixedSent++;
        r.fixedExpected += expected;
      } else {
        r.positionsSent++;
        r.positionsExpected += expected;
      }
    };
    timers.push(setTimeout(() => (tick(), timers.push(setInterval(tick, periodMs))), (i / o.clients) * periodMs));
  }
  await sleep(2000); // warm-up
  win.start = Date.now();
  o.onWindow?.('start');
  await sleep(o.seconds * 1000);
  win.end = Date.now();
  o.onWindow?.('end');
  r.elapsedS = (win.end - win.start) / 1000;
  // drain: late deliveries of in-window events still count; wait for every chat/alert/delete (up to maxDrainS).
  // For the first 3 s the clients keep sending (uncounted): a position of the window that is still waiting
  // is then replaced by a newer one, as under a lasting overload. Stopping every sender at the window's end
  // would measure the end of the load instead: each uid's last position is its newest for good, and the
  // node delivers it however late (by design, see fanout-queue.ts). Then the senders stop, so a generator
  // that reads slower than the node writes cannot keep the chat/alert/delete of the window queued for ever.
  const drainEnd = Date.now() + o.maxDrainS * 1000;
  await sleep(3000);
  for (const t of timers) clearInterval(t);
  while (r.fixedDelivered < r.fixedExpected && Date.now() < drainEnd) await sleep(250);
  stopping = true;
  for (const s of socks) s.destroy();
  ages.sort((a, b) => a - b);
  return r;
}

export function quantile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! : NaN;
}
