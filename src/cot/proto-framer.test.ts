import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { errorCode } from '../../test/support/errors.js';
import { readOwnFixture, splitAt } from '../../test/cot/fixtures.js';
import { ProtoStreamFramer, frameMesh, frameProto, unframeMesh } from './proto-framer.js';

function payloads(framer: ProtoStreamFramer, chunks: Buffer[]): Buffer[] {
  const out: Buffer[] = [];
  for (const c of chunks) for (const p of framer.push(c)) out.push(Buffer.from(p));
  return out;
}

const filled = (n: number, seed = 1): Buffer => Buffer.from(Array.from({ length: n }, (_, k) => (k * 31 + seed) & 0xff));

describe('frameProto / frameMesh', () => {
  const stream = readOwnFixture('takproto/snstac-wintak-pli.stream.bin');
  const mesh = readOwnFixture('takproto/snstac-wintak-pli.mesh.bin');

  it('re-framing the golden payload reproduces both vector files byte for byte', () => {
    const payload = stream.subarray(3);
    expect(frameProto(payload).equals(stream)).toBe(true);
    expect(frameMesh(payload).equals(mesh)).toBe(true);
    expect(unframeMesh(mesh).equals(payload)).toBe(true);
  });

  it('varint lengths at the 1/2/3-byte boundaries', () => {
    expect([...frameProto(filled(0))]).toEqual([0xbf, 0x00]);
    expect([...frameProto(filled(127)).subarray(0, 2)]).toEqual([0xbf, 0x7f]);
    expect([...frameProto(filled(128)).subarray(0, 3)]).toEqual([0xbf, 0x80, 0x01]);
    expect([...frameProto(filled(16384)).subarray(0, 4)]).toEqual([0xbf, 0x80, 0x80, 0x01]);
  });

  it('unframeMesh refuses anything but a version-1 mesh header', () => {
    expect(errorCode(() => unframeMesh(stream))).toBe('FRAME_INVALID');
    expect(errorCode(() => unframeMesh(Buffer.from([0xbf, 0x02, 0xbf, 1])))).toBe('FRAME_INVALID');
    expect(errorCode(() => unframeMesh(Buffer.alloc(2)))).toBe('FRAME_INVALID');
  });
});

describe('ProtoStreamFramer', () => {
  const stream = readOwnFixture('takproto/snstac-wintak-pli.stream.bin');

  it('splitting the golden stream frame at every offset gives the same payload', () => {
    for (let at = 0; at <= stream.length; at++) {
      const got = payloads(new ProtoStreamFramer(), [stream.subarray(0, at), stream.subarray(at)]);
      expect(got).toHaveLength(1);
      expect(got[0]!.equals(stream.subarray(3))).toBe(true);
    }
  });

  it('many frames of boundary sizes in one chunk, then byte by byte', () => {
    const sizes = [0, 1, 127, 128, 300, 16383, 16384, 70000];
    const all = Buffer.concat(sizes.map((n, k) => frameProto(filled(n, k))));
    const once = payloads(new ProtoStreamFramer(), [all]);
    expect(once.map((p) => p.length)).toEqual(sizes);
    once.forEach((p, k) => expect(p.equals(filled(sizes[k]!, k))).toBe(true));
    const framer = new ProtoStreamFramer();
    const slow = payloads(framer, [...all].map((b) => Buffer.from([b])));
    expect(slow.map((p) => p.length)).toEqual(sizes);
    expect(framer.isEmpty).toBe(true);
  });

  it('oversize length ⇒ COT_TOO_LARGE before the payload arrives; bad magic and long varints ⇒ FRAME_INVALID; failures stick', () => {
    const small = new ProtoStreamFramer({ maxEventBytes: 100 });
    expect(errorCode(() => payloads(small, [frameProto(filled(101)).subarray(0, 3)]))).toBe('COT_TOO_LARGE');
    expect(errorCode(() => payloads(small, [frameProto(filled(1))]))).toBe('COT_TOO_LARGE');
    expect(errorCode(() => payloads(new ProtoStreamFramer(), [Buffer.from('<event')]))).toBe('FRAME_INVALID');
    const long = Buffer.from([0xbf, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]);
    expect(errorCode(() => payloads(new ProtoStreamFramer({ maxEventBytes: Number.MAX_SAFE_INTEGER }), [long]))).toBe('FRAME_INVALID');
    const after = new ProtoStreamFramer();
    const good = frameProto(filled(5));
    const got: Buffer[] = [];
    expect(errorCode(() => { for (const p of after.push(Buffer.concat([good, Buffer.from([0x00])]))) got.push(p); })).toBe('FRAME_INVALID');
    expect(got).toHaveLength(1);
    expect(errorCode(() => payloads(after, [good]))).toBe('FRAME_INVALID');
  });

  it('takeRemainder returns the bytes not yet yielded', () => {
    const framer = new ProtoStreamFramer();
    const a = frameProto(filled(10));
    const b = frameProto(filled(20));
    for (const _ of framer.push(Buffer.concat([a, b]))) break;
    expect(framer.takeRemainder().equals(b)).toBe(true);
    expect(framer.isEmpty).toBe(true);
  });

  it('property: random payloads under random chunking come out unchanged', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 400 }), { minLength: 1, maxLength: 10 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (items, cuts) => {
          const all = Buffer.concat(items.map((p) => frameProto(p)));
          const chunks = splitAt(all, cuts);
          const got = payloads(new ProtoStreamFramer(), chunks);
          expect(got.map((g) => [...g])).toEqual(items.map((p) => [...p]));
        },
      ),
      { numRuns: 500 },
    );
  });
});
