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
/** Highest version this node speaks; 2 adds the AuditHead frame (countersigning of audit chains);
 * 3 adds BatchBinding (one binding signature per run of envelopes). */
export const PROTOCOL_VERSION = 3;
export const SUPPORTED_VERSIONS: readonly number[] = [1, 2, 3];
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
  /** the originator's binding (see origin-binding.ts), carried unchanged by relays */
  originBindingJws?: string;
}
export type Frame =
  | { hello: Hello }
  | { helloAck: HelloAck }
  | { envelope: Envelope }
  | { ack: { seq: number } }
  | { error: { code: string; seq: number } }
  | { auditHead: AuditHead }
  | { batchBinding: BatchBinding };
export interface BatchBinding {
  firstSeq: number;
  digests: Uint8Array[];
  jws: string;
}
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

/**
 * Outbox rows written since protocol v3: MAGIC ++ 32-byte binding digest ++ envelope body WITHOUT
 * binding_jws (signed at send time: once per batch for v3 peers, per envelope for v1/v2 peers). Rows
 * of older versions are plain bodies (they start with a protobuf tag, never 0xFF) with their own JWS.
 */
const STORED_MAGIC = Buffer.from([0xff, 0x4b, 0x33, 0x00]);
const DIGEST_BYTES = 32;
export function encodeStoredEnvelope(digest: Uint8Array, body: Uint8Array): Uint8Array {
  if (digest.length !== DIGEST_BYTES) throw new KizunaError('INTERNAL', 'binding digest must be 32 bytes');
  const out = Buffer.allocUnsafe(STORED_MAGIC.length + DIGEST_BYTES + body.length);
  out.set(STORED_MAGIC, 0);
  out.set(digest, STORED_MAGIC.length);
  out.set(body, STORED_MAGIC.length + DIGEST_BYTES);
  return out;
}
/** digest is undefined for a legacy row (its body already carries a binding_jws). */
export function decodeStoredEnvelope(stored: Uint8Array): { digest?: Uint8Array; body: Uint8Array } {
  const head = STORED_MAGIC.length;
  if (stored.length >= head + DIGEST_BYTES && STORED_MAGIC.every((b, i) => stored[i] === b)) {
    return { digest: stored.subarray(head, head + DIGEST_BYTES), body: stored.subarray(head + DIGEST_BYTES) };
  }
  return { body: stored };
}
/** The stored body's label JSON and payload (to sign it for a v1/v2 peer). */
export function envelopeBodyParts(body: Uint8Array): { labelJson: string; payload: Uint8Array } {
  const e = EnvelopeType.decode(body) as unknown as { labelJson: string; payload: Uint8Array };
  return { labelJson: e.labelJson, payload: e.payload };
}
/** body ++ field 6 (binding_jws): a later occurrence of a singular field wins, so no re-encoding. */
export function withBindingJws(body: Uint8Array, jws: string): Uint8Array {
  const field = protobuf.Writer.create().uint32((6 << 3) | 2).string(jws).finish();
  const out = Buffer.allocUnsafe(body.length + field.length);
  out.set(body, 0);
  out.set(field, body.length);
  return out;
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
      if (e.originBindingJws) env.originBindingJws = e.originBindingJws;
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
    case 'batchBinding': {
      const b = m.batchBinding as { firstSeq: Long; digests: (Uint8Array | number[])[]; jws: string };
      return { batchBinding: { firstSeq: num(b.firstSeq), digests: b.digests.map((x) => (x instanceof Uint8Array ? x : Uint8Array.from(x))), jws: b.jws } };
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
