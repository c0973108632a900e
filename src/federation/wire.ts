import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { KizunaError } from '../util/errors.js';

/**
 * Federation wire codec: `proto/federation/federation.proto` loaded with protobufjs, frames of
 * 4-byte big-endian length + one `Frame`. Envelopes are stored in the outbox already encoded
 * (without seq) so a resend never re-signs or re-encodes: the seq field is prepended at send time
 * (protobuf fields may come in any order).
 */
/** Highest version this node speaks; 2 adds the AuditHead frame (countersigning of audit chains). */
export const PROTOCOL_VERSION = 2;
export const SUPPORTED_VERSIONS: readonly number[] = [1, 2];
/** Highest version both sides speak, undefined when none. */
export function chooseVersion(offered: number[]): number | undefined {
  const common = SUPPORTED_VERSIONS.filter((v) => offered.includes(v));
  return common.length ? Math.max(...common) : undefined;
}
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;

function findProto(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'proto', 'federation', 'federation.proto');
    if (existsSync(candidate)) return candidate;
    const up = dirname(dir);
    if (up === dir) throw new KizunaError('INTERNAL', 'proto/federation/federation.proto not found');
    dir = up;
  }
}

const root = protobuf.loadSync(findProto());
const FrameType = root.lookupType('kizuna.federation.v1.Frame');
const EnvelopeType = root.lookupType('kizuna.federation.v1.Envelope');

export interface Hello {
  protocolVersions: number[];
  nodeId: string;
  nation: string;
  bindingPublicJwk: string;
}
export interface HelloAck {
  chosenVersion: number;
  resumeAfterSeq: number;
}
export interface Envelope {
  seq: number;
  origin: string;
  id: string;
  kind: string;
  labelJson: string;
  bindingJws: string;
  payload: Uint8Array;
  caveat?: string;
  releasableTo?: string;
}
export type Frame =
  | { hello: Hello }
  | { helloAck: HelloAck }
  | { envelope: Envelope }
  | { ack: { seq: number } }
  | { error: { code: string; seq: number } }
  | { auditHead: AuditHead };
export interface AuditHead {
  seq: number;
  hash: string;
}

type Long = number | { toNumber(): number };
const num = (v: Long | undefined | null): number => (v == null ? 0 : typeof v === 'number' ? v : v.toNumber());

/** Encodes a frame body (without the length prefix). */
export function encodeFrame(frame: Frame): Uint8Array {
  return FrameType.encode(FrameType.fromObject(frame)).finish();
}

/** Encodes an envelope without seq (absent, not 0: a later seq field would win), as stored in the outbox. */
export function encodeEnvelopeBody(env: Omit<Envelope, 'seq'>): Uint8Array {
  return EnvelopeType.encode(EnvelopeType.fromObject(env)).finish();
}

/** Frame{envelope: seq ++ storedBody} with the length prefix, built without decoding the body. */
export function envelopeFrame(seq: number, body: Uint8Array): Buffer {
  const seqBytes = protobuf.Writer.create().uint32(0x08).uint64(seq).finish();
  const inner = seqBytes.length + body.length;
  const head = protobuf.Writer.create().uint32((3 << 3) | 2).uint32(inner).finish();
  const total = head.length + inner;
  const out = Buffer.allocUnsafe(4 + total);
  out.writeUInt32BE(total, 0);
  out.set(head, 4);
  out.set(seqBytes, 4 + head.length);
  out.set(body, 4 + head.length + seqBytes.length);
  return out;
}

export function lengthPrefixed(body: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(4 + body.length);
  out.writeUInt32BE(body.length, 0);
  out.set(body, 4);
  return out;
}

export function decodeFrame(bytes: Uint8Array): Frame {
  let m: Record<string, unknown>;
  try {
    m = FrameType.toObject(FrameType.decode(bytes), { defaults: true, longs: Number, bytes: Uint8Array as never, oneofs: true }) as Record<string, unknown>;
  } catch (err) {
    throw new KizunaError('FED_PROTOCOL', 'frame could not be decoded', { cause: err });
  }
  switch (m.body) {
    case 'hello': {
      const h = m.hello as { protocolVersions: number[]; nodeId: string; nation: string; bindingPublicJwk: string };
      return { hello: { protocolVersions: h.protocolVersions.map(Number), nodeId: h.nodeId, nation: h.nation, bindingPublicJwk: h.bindingPublicJwk } };
    }
    case 'helloAck': {
      const h = m.helloAck as { chosenVersion: number; resumeAfterSeq: Long };
      return { helloAck: { chosenVersion: h.chosenVersion, resumeAfterSeq: num(h.resumeAfterSeq) } };
    }
    case 'envelope': {
      const e = m.envelope as Envelope & { seq: Long; payload: Uint8Array | number[] };
      const env: Envelope = {
        seq: num(e.seq),
        origin: e.origin,
        id: e.id,
        kind: e.kind,
        labelJson: e.labelJson,
        bindingJws: e.bindingJws,
        payload: e.payload instanceof Uint8Array ? e.payload : Uint8Array.from(e.payload ?? []),
      };
      if (e.caveat) env.caveat = e.caveat;
      if (e.releasableTo) env.releasableTo = e.releasableTo;
      return { envelope: env };
    }
    case 'ack':
      return { ack: { seq: num((m.ack as { seq: Long }).seq) } };
    case 'error': {
      const e = m.error as { code: string; seq: Long };
      return { error: { code: e.code, seq: num(e.seq) } };
    }
    case 'auditHead': {
      const a = m.auditHead as { seq: Long; hash: string };
      return { auditHead: { seq: num(a.seq), hash: a.hash } };
    }
    default:
      throw new KizunaError('FED_PROTOCOL', 'frame has no body');
  }
}

/** Splits a byte stream into frame bodies; throws FRAME_INVALID on an oversize length. */
export class FrameReader {
  private chunks: Buffer[] = [];
  private size = 0;
  constructor(private readonly maxFrame = MAX_FRAME_BYTES) {}

  push(chunk: Buffer): Uint8Array[] {
    this.chunks.push(chunk);
    this.size += chunk.length;
    const out: Uint8Array[] = [];
    let buf = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.size);
    let off = 0;
    while (buf.length - off >= 4) {
      const len = buf.readUInt32BE(off);
      if (len > this.maxFrame) throw new KizunaError('FRAME_INVALID', 'federation frame too large');
      if (buf.length - off - 4 < len) break;
      out.push(buf.subarray(off + 4, off + 4 + len));
      off += 4 + len;
    }
    buf = buf.subarray(off);
    this.chunks = buf.length ? [buf] : [];
    this.size = buf.length;
    return out;
  }
}
