import { describe, expect, it } from 'vitest';
import { errorCode } from '../../test/support/errors.js';
import { asMultiset, describeEachCorpus, detailChildren, readOwnFixture, withRealTimes, type CotCorpus } from '../../test/cot/fixtures.js';
import type { CotEvent } from './model.js';
import { TakMessageType, decodeTakMessage, encodeTakMessage } from './proto.js';
import { ProtoStreamFramer, unframeMesh } from './proto-framer.js';
import { cotTimeToMs } from './time.js';
import { LABEL_NAMESPACE, parseCotXml, serializeCotXml } from './xml.js';

const usable = (corpus: CotCorpus) =>
  corpus.fixtures
    .filter((f) => f.kind === 'wellFormed' || f.kind === 'mismatch' || f.kind === 'placeholderTime')
    .map((f) => [f.name, f.kind === 'placeholderTime' ? withRealTimes(f.bytes.toString('utf8')) : f.bytes.toString('utf8')] as const);

const unknownIfNaN = (n: number): number => (Number.isNaN(n) ? 9999999 : n);

function expectSameEnvelope(a: CotEvent, b: CotEvent): void {
  expect(b.uid).toBe(a.uid);
  expect(b.type).toBe(a.type);
  expect(b.how).toBe(a.how);
  expect(cotTimeToMs(b.time)).toBe(cotTimeToMs(a.time));
  expect(cotTimeToMs(b.start)).toBe(cotTimeToMs(a.start));
  expect(cotTimeToMs(b.stale)).toBe(cotTimeToMs(a.stale));
  expect(b.point).toEqual({
    lat: a.point.lat,
    lon: a.point.lon,
    hae: unknownIfNaN(a.point.hae),
    ce: unknownIfNaN(a.point.ce),
    le: unknownIfNaN(a.point.le),
  });
  for (const k of ['access', 'qos', 'opex', 'caveat', 'releasableTo', 'callsign', 'group', 'destCallsigns', 'destUids', 'labelXml'] as const) {
    expect(b[k], k).toEqual(a[k]);
  }
}

const fragmentChildren = (xmlDetail: string): string[] =>
  asMultiset(detailChildren(`<event><detail>${xmlDetail}</detail></event>`));

describeEachCorpus('XML → proto → XML over every usable fixture', (corpus) => {
  it.each(usable(corpus))('%s keeps the envelope and every <detail> child element', (_n, xml) => {
    const original = parseCotXml(xml);
    const payload = encodeTakMessage(original);
    const back = decodeTakMessage(payload)!;
    expectSameEnvelope(original, back);
    expect(asMultiset(detailChildren(serializeCotXml(back)))).toEqual(asMultiset(detailChildren(xml)));
    // and the proto form is stable: encoding the decoded event gives the same bytes
    expect(Buffer.from(encodeTakMessage(back)).equals(Buffer.from(payload))).toBe(true);
  });
});

describe('golden vectors (snstac/takproto)', () => {
  const inputXml = readOwnFixture('takproto/snstac-wintak-pli.input.xml').toString('utf8');
  const stream = readOwnFixture('takproto/snstac-wintak-pli.stream.bin');
  const mesh = readOwnFixture('takproto/snstac-wintak-pli.mesh.bin');
  const expected = parseCotXml(inputXml);

  function decodedObject(payload: Uint8Array): Record<string, unknown> {
    const o = TakMessageType.toObject(TakMessageType.decode(payload), { longs: Number, defaults: true }) as {
      cotEvent: { detail: { xmlDetail: string } & Record<string, unknown> } & Record<string, unknown>;
    };
    // encoders differ in xmlDetail spelling (quotes, spaces): compare it as a DOM
    return { ...o, cotEvent: { ...o.cotEvent, detail: { ...o.cotEvent.detail, xmlDetail: fragmentChildren(o.cotEvent.detail.xmlDetail) } } };
  }

  it('the stream frame decodes to the input XML event', () => {
    const framer = new ProtoStreamFramer();
    const payloads = [...framer.push(stream)];
    expect(payloads).toHaveLength(1);
    expect(payloads[0]!.length).toBe(307);
    const ev = decodeTakMessage(payloads[0]!)!;
    expectSameEnvelope(expected, ev);
    expect(ev.callsign).toBe('Eliopoli HQ');
    expect(ev.group).toBe('Yellow');
    expect(asMultiset(detailChildren(serializeCotXml(ev)))).toEqual(asMultiset(detailChildren(inputXml)));
  });

  it('the mesh datagram carries the same payload', () => {
    const payload = unframeMesh(mesh);
    expect(payload.equals(stream.subarray(3))).toBe(true);
    expectSameEnvelope(expected, decodeTakMessage(payload)!);
  });

  it('our encoding of the input XML decodes to the same structure as the vector', () => {
    expect(decodedObject(encodeTakMessage(expected))).toEqual(decodedObject(stream.subarray(3)));
  });
});

describe('XML → proto mapping rules (docs/tak-protocol.md §3.4)', () => {
  const T = '2026-11-23T09:00:00.000Z';
  const ev = (detail: string): CotEvent =>
    parseCotXml(
      `<event version="2.0" uid="u" type="a-f-G" how="m-g" time="${T}" start="${T}" stale="${T}"><point lat="1" lon="2" hae="NaN" ce="3" le="4"/><detail>${detail}</detail></event>`,
    );
  const detailOf = (e: CotEvent): Record<string, unknown> => {
    const o = TakMessageType.toObject(TakMessageType.decode(encodeTakMessage(e)), { longs: Number }) as {
      cotEvent: { detail?: Record<string, unknown>; hae: number };
    };
    return o.cotEvent.detail ?? {};
  };

  it('maps exact elements to typed messages and leaves the rest in xmlDetail', () => {
    const d = detailOf(ev('<contact callsign="A" endpoint="*:-1:stcp"/><status battery="78"/><uid Droid="A"/>'));
    expect(d.contact).toEqual({ callsign: 'A', endpoint: '*:-1:stcp' });
    expect(d.status).toEqual({ battery: 78 });
    expect(d.xmlDetail).toBe('<uid Droid="A"/>');
  });

  it.each([
    ['extra attribute', '<contact callsign="A" phone="1"/>', 'contact'],
    ['empty optional endpoint', '<contact callsign="A" endpoint=""/>', 'contact'],
    ['missing required', '<__group name="Cyan"/>', 'group'],
    ['child element', '<takv device="d" platform="p" os="o" version="v"><x/></takv>', 'takv'],
    ['text content', '<track speed="1" course="2">x</track>', 'track'],
    ['non-integer battery', '<status battery="78.5"/>', 'status'],
    ['readiness on status', '<status battery="7" readiness="true"/>', 'status'],
    ['duplicate element', '<precisionlocation geopointsrc="GPS" altsrc="GPS"/><precisionlocation geopointsrc="GPS" altsrc="GPS"/>', 'precisionLocation'],
  ])('%s: whole element stays in xmlDetail', (_n, detail, key) => {
    const d = detailOf(ev(detail));
    expect(d[key]).toBeUndefined();
    expect(fragmentChildren(d.xmlDetail as string)).toEqual(fragmentChildren(detail));
  });

  it('the 4774 label travels in xmlDetail and comes back as labelXml', () => {
    const label = `<originatorConfidentialityLabel xmlns="${LABEL_NAMESPACE}"><ConfidentialityInformation/></originatorConfidentialityLabel>`;
    const e = ev(`${label}<contact callsign="A"/>`);
    const d = detailOf(e);
    expect(d.xmlDetail).toBe(label);
    const back = decodeTakMessage(encodeTakMessage(e))!;
    expect(back.labelXml).toBe(label);
    expect(back.callsign).toBe('A');
  });

  it('unknown hae/ce/le (NaN) become 9999999; no detail ⇒ no Detail message', () => {
    const e = { ...ev(''), detailXml: '' };
    const o = TakMessageType.toObject(TakMessageType.decode(encodeTakMessage(e)), { longs: Number }) as {
      cotEvent: { hae: number; detail?: unknown };
    };
    expect(o.cotEvent.hae).toBe(9999999);
    expect(o.cotEvent.detail).toBeUndefined();
  });
});

describe('decodeTakMessage: untrusted bytes', () => {
  const T = 1_780_000_000_000;
  const base = { type: 'a-f-G', uid: 'u', how: 'm-g', sendTime: T, startTime: T, staleTime: T + 60_000, lat: 1, lon: 2, hae: 0, ce: 9999999, le: 9999999 };
  const bytes = (cotEvent: Record<string, unknown>, extra: Record<string, unknown> = {}): Uint8Array =>
    TakMessageType.encode(TakMessageType.create({ cotEvent, ...extra })).finish();

  it('an xmlDetail that closes <detail> early (smuggling a second event) ⇒ PROTO_DECODE', () => {
    const evil = '</detail></event><event version="2.0" uid="x" type="a-h-G" time="t" start="t" stale="t"><point lat="0" lon="0"/><detail>';
    expect(errorCode(() => decodeTakMessage(bytes({ ...base, detail: { xmlDetail: evil } })))).toBe('PROTO_DECODE');
    expect(errorCode(() => decodeTakMessage(bytes({ ...base, detail: { xmlDetail: '<a>' } })))).toBe('PROTO_DECODE');
    expect(errorCode(() => decodeTakMessage(bytes({ ...base, detail: { xmlDetail: '<!DOCTYPE x>' } })))).toBe('PROTO_DECODE');
  });

  it('an element in xmlDetail wins over the typed message of the same name', () => {
    const e = decodeTakMessage(bytes({ ...base, detail: { xmlDetail: '<contact callsign="FromXml" phone="1"/>', contact: { callsign: 'Typed' } } }))!;
    expect(e.callsign).toBe('FromXml');
    expect(e.detailXml).toBe('<contact callsign="FromXml" phone="1"/>');
  });

  it('strings are escaped when re-assembled as XML', () => {
    const e = decodeTakMessage(bytes({ ...base, uid: 'a"b<c>&d', detail: { contact: { callsign: '"/><x a="' } } }))!;
    expect(e.uid).toBe('a"b<c>&d');
    expect(e.callsign).toBe('"/><x a="');
    expect(parseCotXml(serializeCotXml(e))).toEqual(e);
  });

  it('garbage ⇒ PROTO_DECODE; a bare TakControl ⇒ undefined; oversize ⇒ COT_TOO_LARGE', () => {
    expect(errorCode(() => decodeTakMessage(Buffer.from([0x12, 0xff, 0xff, 0xff, 0x0f, 0x01])))).toBe('PROTO_DECODE');
    expect(decodeTakMessage(bytes(undefined as never, { takControl: { minProtoVersion: 1, maxProtoVersion: 1 } }))).toBeUndefined();
    expect(errorCode(() => decodeTakMessage(bytes(base), { maxBytes: 10 }))).toBe('COT_TOO_LARGE');
  });

  it('invalid content (missing uid, NaN latitude, control characters) ⇒ typed COT errors', () => {
    expect(errorCode(() => decodeTakMessage(bytes({ ...base, uid: '' })))).toBe('COT_INVALID');
    expect(errorCode(() => decodeTakMessage(bytes({ ...base, lat: NaN })))).toBe('COT_INVALID');
    expect(errorCode(() => decodeTakMessage(bytes({ ...base, uid: 'a\u0000b' })))).toBe('COT_PARSE');
  });
});
