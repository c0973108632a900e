import type { Socket } from 'node:net';
import type { Audience } from '../labels/types.js';
import type { Released } from '../labels/released.js';
import type { CotEvent } from '../cot/model.js';
import type { Logger } from '../util/log.js';
import { KizunaError } from '../util/errors.js';
import { XmlEventFramer } from '../cot/xml-framer.js';
import { ProtoStreamFramer } from '../cot/proto-framer.js';
import { parseCotXml } from '../cot/xml.js';
import { decodeTakMessage } from '../cot/proto.js';
import { CONTROL_TYPES, parseTakRequest, pong, takControlOffer, takControlResponse } from '../cot/control.js';
import { EncodedEvent as Encoded } from './encoded-event.js';
import { ConflatingSendQueue } from './send-queue.js';

const DEFAULT_SEND_WINDOW = 64 * 1024;

export type WireFormat = 'xml' | 'proto';

export interface ClientIdentity {
  /** certificate CN, or "anonymous" on plain TCP */
  name: string;
  nation: string;
  groups: string[];
  serial?: string;
  audience: Audience;
  audienceKey: string;
}

export interface ConnectionLimits {
  maxEventBytes: number;
  /**
   * bytes of a client's backlog, after conflating its positions, beyond which it is dropped: what it
   * cannot keep up with even then is traffic that may not be skipped (chat, alerts, deletes, …)
   */
  maxSendQueueBytes: number;
  /** unsent bytes the socket itself may hold (default 64 KiB); beyond, traffic waits in the backlog */
  sendWindowBytes?: number;
  /** offer TAK protocol v1 (t-x-takp-v) after connect */
  offerProtobuf: boolean;
}

export interface ConnectionEvents {
  onEvent(conn: TakConnection, ev: CotEvent): void;
  onClose(conn: TakConnection, reason: string): void;
}

let nextId = 0;

/**
 * One streaming client. Owns its framing (XML until a successful TAK protocol negotiation, then
 * protobuf), its send queue bound and its identity. It parses and hands events up; it never decides
 * release or routing.
 */
export class TakConnection {
  readonly id = `c${++nextId}`;
  /** accept order within this process (a client accepted after an event was queued gets it from replay) */
  readonly order = nextId;
  uid: string | undefined;
  callsign: string | undefined;
  /** last SA (own position) event, for the disconnect t-x-d-d */
  lastSa: CotEvent | undefined;
  readFormat: WireFormat = 'xml';
  writeFormat: WireFormat = 'xml';
  private xmlFramer: XmlEventFramer;
  private protoFramer: ProtoStreamFramer | undefined;
  private offered = false;
  private closed = false;
  readonly connectedAt = Date.now();
  /** ms since epoch of the last event (any type, pings included) read from this client: its freshness */
  lastEventAt = this.connectedAt;

  constructor(
    readonly socket: Socket,
    readonly identity: ClientIdentity,
    private readonly limits: ConnectionLimits,
    private readonly events: ConnectionEvents,
    private readonly log: Logger,
  ) {
    this.xmlFramer = new XmlEventFramer({ maxEventBytes: limits.maxEventBytes });
    // at least the socket's high-water mark, so a backlogged socket always owes a 'drain'
    this.window = Math.max(limits.sendWindowBytes ?? DEFAULT_SEND_WINDOW, socket.writableHighWaterMark);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.close(`socket error ${(err as NodeJS.ErrnoException).code ?? ''}`));
    socket.on('close', () => this.close('closed by peer'));
  }

  get groups(): readonly string[] {
    return this.identity.groups;
  }

  /** Announce TAK protocol support (after the replay, as TAK Server does). */
  offerProtocol(): void {
    if (!this.limits.offerProtobuf || this.offered) return;
    this.offered = true;
    this.writeRaw(new Encoded(takControlOffer({ uid: 'protouid', serverVersion: 'kizuna' })).xml());
  }

  /** The only way a stored object reaches the client: it must have passed the release guard. */
  send(item: Released<Encoded>): void {
    if (this.closed) return;
    const enc = item.value;
    const bytes = this.writeFormat === 'xml' ? enc.xml() : enc.proto();
    // The common case (nothing waiting, socket keeping up) costs what a plain write costs.
    if (this.backlog === undefined && !this.socketBackedUp()) this.write(bytes);
    else if (enc.saUid !== undefined) this.enqueue(bytes, enc.saUid, undefined);
    else this.enqueue(bytes, undefined, enc.deletes());
  }

  /** Node-generated control traffic (takp negotiation, pong): never stored objects. */
  private writeRaw(bytes: Buffer | Uint8Array): void {
    if (this.closed) return;
    if (this.backlog === undefined && !this.socketBackedUp()) this.write(bytes);
    else this.enqueue(bytes, undefined, undefined);
  }

  /** Positions skipped for this client because a newer one replaced them in its backlog. */
  get conflated(): number {
    return this.conflatedDone + (this.backlog?.conflated ?? 0);
  }

  /** Bytes waiting in this client's backlog (0 while its socket keeps up). */
  get backlogBytes(): number {
    return this.backlog?.bytes ?? 0;
  }

  /** Unsent bytes the socket may hold before new traffic waits (conflatable) in the backlog instead. */
  private readonly window: number;
  private backlog: ConflatingSendQueue | undefined;
  private conflatedDone = 0;
  private pumpPending = false;
  private corked = false;
  private turnBytes = 0;


  private socketBackedUp(): boolean {
    // Bytes written in this (corked) turn are not yet backlog: only what earlier turns left unsent counts.
    return this.socket.writableLength - this.turnBytes > this.window;
  }

  private enqueue(bytes: Uint8Array, saUid: string | undefined, deletes: string | undefined): void {
    const q = (this.backlog ??= new ConflatingSendQueue());
    if (saUid !== undefined) q.pushSa(saUid, bytes);
    else q.pushFixed(bytes, deletes);
    if (q.bytes > this.limits.maxSendQueueBytes) {
      this.log.warn(
        { conn: this.id, queued: q.bytes, nonConflatable: q.fixedBytes, entries: q.length, code: 'SLOW_READER' },
        'dropping slow reader: send backlog over the bound after conflating positions',
      );
      this.close('slow reader: send queue full');
      this.socket.destroy();
      return;
    }
    if (!this.pumpPending) this.waitForRoom();
  }

  private waitForRoom(): void {
    this.pumpPending = true;
    // A write that took the socket past its high-water mark guarantees a 'drain' once it has flushed.
    if (this.socket.writableNeedDrain) this.socket.once('drain', this.pump);
    else setImmediate(this.pump);
  }

  /** Moves the backlog into the socket up to the window, in one corked writev. */
  private readonly pump = (): void => {
    this.pumpPending = false;
    const q = this.backlog;
    if (!q || this.closed || this.socket.destroyed) return;
    let bytes: Uint8Array | undefined;
    while (this.socket.writableLength < this.window && (bytes = q.shift()) !== undefined) this.write(bytes);
    if (q.length > 0) return this.waitForRoom();
    this.conflatedDone += q.conflated;
    this.backlog = undefined;
  };

  private write(bytes: Uint8Array): void {
    // Deliveries within one event-loop turn leave in one writev instead of one syscall each
    // (the profile showed socket writes as the top cost of fan-out).
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      setImmediate(this.uncork);
    }
    this.turnBytes += bytes.length;
    this.socket.write(bytes);
  }

  private readonly uncork = (): void => {
    this.corked = false;
    this.turnBytes = 0;
    if (!this.socket.destroyed) this.socket.uncork();
  };

  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    if (!this.socket.destroyed) this.socket.end();
    this.events.onClose(this, reason);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    try {
      if (this.readFormat === 'xml') {
        // PyTAK with TAK_PROTO=1 sends stream-framed protobuf from the first byte without negotiating.
        if (this.xmlFramer.isEmpty && chunk[0] === 0xbf && !this.offeredAndPending()) {
          this.switchReaderToProto(chunk);
          return;
        }
        for (const raw of this.xmlFramer.push(chunk)) {
          this.handleXml(raw);
          // after a successful t-x-takp-r the rest of this chunk is protobuf
          if (this.isProto()) break;
        }
        if (this.isProto()) {
          const rest = this.xmlFramer.takeRemainder();
          if (rest.length) this.feedProto(rest);
        }
      } else {
        this.feedProto(chunk);
      }
    } catch (err) {
      const code = err instanceof KizunaError ? err.code : 'FRAME_INVALID';
      this.log.warn({ conn: this.id, code }, 'closing client after bad input');
      this.close(`bad input: ${code}`);
      this.socket.destroy();
    }
  }

  private offeredAndPending(): boolean {
    return false;
  }

  private isProto(): boolean {
    return this.readFormat === 'proto';
  }

  private handleXml(raw: Buffer): void {
    let ev: CotEvent;
    try {
      ev = parseCotXml(raw, { maxBytes: this.limits.maxEventBytes });
    } catch (err) {
      // One malformed event is reported and skipped; framing is intact so the stream goes on.
      const code = err instanceof KizunaError ? err.code : 'COT_PARSE';
      if (code === 'COT_FORBIDDEN_XML' || code === 'COT_TOO_LARGE') throw err;
      this.log.info({ conn: this.id, code }, 'skipping unparseable event');
      return;
    }
    if (ev.type === CONTROL_TYPES.TAKP_REQUEST) {
      this.negotiate(ev);
      return;
    }
    this.dispatch(ev);
  }

  private negotiate(ev: CotEvent): void {
    const ok = parseTakRequest(ev) === 1;
    // The response is the last XML this client receives when ok; then both directions switch.
    this.writeRaw(new Encoded(takControlResponse(ok, { uid: 'protouid' })).xml());
    if (!ok) return;
    this.writeFormat = 'proto';
    this.readFormat = 'proto';
    this.protoFramer = new ProtoStreamFramer({ maxEventBytes: this.limits.maxEventBytes });
    this.log.info({ conn: this.id }, 'client switched to TAK protocol v1');
  }

  private switchReaderToProto(chunk: Buffer): void {
    this.readFormat = 'proto';
    this.protoFramer = new ProtoStreamFramer({ maxEventBytes: this.limits.maxEventBytes });
    this.feedProto(chunk);
  }

  private feedProto(chunk: Buffer): void {
    const framer = this.protoFramer!;
    for (const payload of framer.push(chunk)) {
      let ev: CotEvent | undefined;
      try {
        ev = decodeTakMessage(payload);
      } catch (err) {
        // TAK Server force-closes on an unparseable payload: the stream can no longer be trusted.
        throw err instanceof KizunaError ? err : new KizunaError('PROTO_DECODE', undefined, { cause: err });
      }
      if (ev) this.dispatch(ev);
    }
  }

  private dispatch(ev: CotEvent): void {
    this.lastEventAt = Date.now();
    if (ev.type === CONTROL_TYPES.PING) {
      const reply = new Encoded(pong());
      this.writeRaw(this.writeFormat === 'xml' ? reply.xml() : reply.proto());
      return;
    }
    this.events.onEvent(this, ev);
  }
}
