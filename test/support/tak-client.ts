import net from 'node:net';
import tls from 'node:tls';
import { ProtoStreamFramer, frameProto } from '../../src/cot/proto-framer.js';
import { decodeTakMessage, encodeTakMessage } from '../../src/cot/proto.js';
import { parseCotXml, serializeCotXml } from '../../src/cot/xml.js';
import type { CotEvent } from '../../src/cot/model.js';
import { waitFor } from './node-harness.js';

/**
 * A TAK client for tests, written independently of the server's framers for XML (plain
 * `</event>` splitting like ATAK's commo) and with the codec's framer for protobuf after negotiation.
 */
export class TestTakClient {
  readonly events: CotEvent[] = [];
  /** inbound bytes this client could not parse (a server bug if ever non-empty) */
  readonly errors: { code: string; raw: string }[] = [];
  mode: 'xml' | 'proto' = 'xml';
  closed = false;
  private buf = Buffer.alloc(0);
  private framer = new ProtoStreamFramer({});

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (c: Buffer) => this.onData(c));
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => (this.closed = true));
  }

  static connect(port: number, opts: { negotiate?: boolean } = {}): Promise<TestTakClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => {
        const c = new TestTakClient(s);
        if (opts.negotiate) c.autoNegotiate = true;
        resolve(c);
      });
      s.once('error', reject);
    });
  }

  static connectTls(port: number, o: { key?: string; cert?: string; ca: string }): Promise<TestTakClient> {
    return new Promise((resolve, reject) => {
      const s = tls.connect({ port, host: '127.0.0.1', ca: o.ca, key: o.key, cert: o.cert, servername: 'localhost' }, () => resolve(new TestTakClient(s)));
      s.once('error', reject);
    });
  }

  /** A TLS client with a certificate that announces itself with an SA (`uid`, `callsign`), as ATAK does on connecting. */
  static async identified(port: number, o: { key: string; cert: string; ca: string }, uid: string, callsign: string): Promise<TestTakClient> {
    const c = await TestTakClient.connectTls(port, o);
    c.send(sa(uid, callsign));
    return c;
  }

  autoNegotiate = false;

  sendXml(xml: string | Buffer): void {
    this.socket.write(xml);
  }

  send(ev: CotEvent): void {
    if (this.mode === 'proto') this.socket.write(frameProto(encodeTakMessage(ev)));
    else this.socket.write(serializeCotXml(ev));
  }

  byType(type: string): CotEvent[] {
    return this.events.filter((e) => e.type === type);
  }

  byUid(uid: string): CotEvent[] {
    return this.events.filter((e) => e.uid === uid);
  }

  async waitForUid(uid: string, timeoutMs = 5000): Promise<CotEvent> {
    await waitFor(() => this.byUid(uid).length > 0, `event ${uid}`, timeoutMs);
    return this.byUid(uid)[0]!;
  }

  async negotiated(): Promise<void> {
    await waitFor(() => this.mode === 'proto', 'protobuf negotiation');
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.mode === 'proto') return this.onProto(chunk);
    this.buf = Buffer.concat([this.buf, chunk]);
    for (;;) {
      const end = this.buf.indexOf('</event>');
      if (end < 0) return;
      const raw = this.buf.subarray(0, end + 8);
      this.buf = this.buf.subarray(end + 8);
      let ev: CotEvent;
      try {
        ev = parseCotXml(raw);
      } catch (err) {
        this.errors.push({ code: (err as { code?: string }).code ?? 'ERR', raw: raw.toString('utf8') });
        continue;
      }
      this.events.push(ev);
      if (ev.type === 't-x-takp-v' && this.autoNegotiate) {
        this.socket.write(
          `<event version="2.0" uid="${ev.uid}" type="t-x-takp-q" how="m-g" time="${ev.time}" start="${ev.start}" stale="${ev.stale}"><point lat="0" lon="0" hae="0" ce="999999" le="999999"/><detail><TakControl><TakRequest version="1"/></TakControl></detail></event>`,
        );
      }
      if (ev.type === 't-x-takp-r' && ev.detailXml.includes('status="true"')) {
        this.mode = 'proto';
        const rest = this.buf;
        this.buf = Buffer.alloc(0);
        if (rest.length) this.onProto(rest);
        return;
      }
    }
  }

  private onProto(chunk: Buffer): void {
    for (const payload of this.framer.push(chunk)) {
      try {
        const ev = decodeTakMessage(payload);
        if (ev) this.events.push(ev);
      } catch (err) {
        this.errors.push({ code: (err as { code?: string }).code ?? 'ERR', raw: Buffer.from(payload).toString('hex') });
      }
    }
  }
}

export function sa(uid: string, callsign: string, extra: Partial<CotEvent> = {}): CotEvent {
  const now = Date.now();
  return {
    version: '2.0',
    uid,
    type: 'a-f-G-U-C',
    how: 'm-g',
    time: new Date(now).toISOString(),
    start: new Date(now).toISOString(),
    stale: new Date(now + 60_000).toISOString(),
    point: { lat: 35.68, lon: 139.76, hae: 10, ce: 5, le: 5 },
    detailXml: `<contact callsign="${callsign}" endpoint="*:-1:stcp"/><__group name="Cyan" role="Team Member"/>`,
    callsign,
    ...extra,
  };
}
