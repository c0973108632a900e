import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { KizunaError } from '../util/errors.js';
import type { CotEvent } from './model.js';
import { cotTime, cotTimeToMs } from './time.js';
import { decodeAttr, elementNames, escapeAttr, readAttributes, scanXml, type ElementRecord } from './xml-scan.js';
import { DEFAULT_MAX_EVENT_BYTES, UNKNOWN_POINT_VALUE, formatXmlDouble, parseCotXmlString } from './xml.js';

/**
 * TAK protocol v1 payload codec (TakMessage), following the XML↔proto rules of the TAK protocol
 * (docs/tak-protocol.md §3.4): a detail child becomes a typed sub-message only when the whole element maps exactly
 * (single occurrence, exactly the expected attributes, no content); everything else, including the
 * STANAG 4774 label element, travels verbatim in `xmlDetail`. Decoding re-assembles the event XML
 * and runs it through the XML parser, so both wire formats get the same validation and extraction.
 */

const PACKAGE = 'atakmap.commoncommo.protobuf.v1';

/** `proto/takproto` at the package root; found by walking up so it works from src/ (tsx) and dist/. */
function findProtoDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'proto', 'takproto');
    if (existsSync(join(candidate, 'takmessage.proto'))) return candidate;
    const up = dirname(dir);
    if (up === dir) throw new KizunaError('INTERNAL', 'proto/takproto/takmessage.proto not found above ' + dirname(fileURLToPath(import.meta.url)));
    dir = up;
  }
}

const root = protobuf.loadSync(join(findProtoDir(), 'takmessage.proto'));
export const TakMessageType: protobuf.Type = root.lookupType(`${PACKAGE}.TakMessage`);

type Uint64 = number | { toNumber(): number };

interface ProtoDetail {
  xmlDetail?: string;
  contact?: { endpoint?: string; callsign?: string } | null;
  group?: { name?: string; role?: string } | null;
  precisionLocation?: { geopointsrc?: string; altsrc?: string } | null;
  status?: { battery?: number } | null;
  takv?: { device?: string; platform?: string; os?: string; version?: string } | null;
  track?: { speed?: number; course?: number } | null;
}

interface ProtoCotEvent {
  type?: string;
  access?: string;
  qos?: string;
  opex?: string;
  uid?: string;
  sendTime?: Uint64;
  startTime?: Uint64;
  staleTime?: Uint64;
  how?: string;
  lat?: number;
  lon?: number;
  hae?: number;
  ce?: number;
  le?: number;
  detail?: ProtoDetail | null;
  caveat?: string;
  releaseableTo?: string;
}

interface ProtoTakMessage {
  takControl?: { minProtoVersion?: number; maxProtoVersion?: number; contactUid?: string } | null;
  cotEvent?: ProtoCotEvent | null;
}

type TypedKey = 'contact' | 'group' | 'precisionLocation' | 'status' | 'takv' | 'track';

interface TypedSpec {
  key: TypedKey;
  element: string;
  required: readonly string[];
  /** Optional attributes; must be non-empty when present (proto3 cannot tell '' from absent). */
  optional: readonly string[];
  kind: 'string' | 'uint32' | 'double';
}

/** Decode order = order of the generated elements in <detail>. */
const TYPED: readonly TypedSpec[] = [
  { key: 'takv', element: 'takv', required: ['device', 'platform', 'os', 'version'], optional: [], kind: 'string' },
  { key: 'contact', element: 'contact', required: ['callsign'], optional: ['endpoint'], kind: 'string' },
  { key: 'group', element: '__group', required: ['name', 'role'], optional: [], kind: 'string' },
  { key: 'precisionLocation', element: 'precisionlocation', required: ['geopointsrc', 'altsrc'], optional: [], kind: 'string' },
  { key: 'status', element: 'status', required: ['battery'], optional: [], kind: 'uint32' },
  { key: 'track', element: 'track', required: ['speed', 'course'], optional: [], kind: 'double' },
];
const TYPED_BY_ELEMENT = new Map(TYPED.map((t) => [t.element, t]));
/** Only elements that may map to a typed sub-message need a record (many siblings must not cost one each). */
const isTypedElement = elementNames(TYPED.map((t) => t.element));

const UINT32 = /^(?:0|[1-9]\d{0,9})$/;
// No two branches match the same digits (see NUMBER in ./xml.ts: `\d+\.?\d*` backtracks quadratically).
const DOUBLE = /^\s*(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|NaN)\s*$/;

/** The typed sub-message for one detail child, or undefined when it does not map exactly. */
function toTyped(spec: TypedSpec, xml: string, rec: ElementRecord): Record<string, string | number> | undefined {
  if (rec.childElements > 0 || rec.hasText) return undefined;
  const raw = readAttributes(xml, rec.start);
  if (raw.size < spec.required.length || raw.size > spec.required.length + spec.optional.length) return undefined;
  const out: Record<string, string | number> = {};
  for (const [name, rawValue] of raw) {
    const required = spec.required.includes(name);
    if (!required && !spec.optional.includes(name)) return undefined;
    const v = decodeAttr(rawValue);
    if (!required && v === '') return undefined;
    if (spec.kind === 'uint32') {
      if (!UINT32.test(v) || Number(v) > 0xffffffff) return undefined;
      out[name] = Number(v);
    } else if (spec.kind === 'double') {
      if (!DOUBLE.test(v)) return undefined;
      out[name] = Number(v.trim());
    } else {
      out[name] = v;
    }
  }
  for (const r of spec.required) if (!(r in out)) return undefined;
  return out;
}

function timeMs(s: string, what: string): number {
  const ms = cotTimeToMs(s);
  if (!(ms >= 0)) throw new KizunaError('COT_INVALID', `${what} cannot be expressed in TAK protocol v1`);
  return ms;
}

const unknownIfNaN = (n: number): number => (Number.isNaN(n) ? UNKNOWN_POINT_VALUE : n);

/** CotEvent → TakMessage payload bytes (not framed; see frameProto/frameMesh). */
export function encodeTakMessage(ev: CotEvent): Uint8Array {
  const detail: ProtoDetail = {};
  let xmlDetail = ev.labelXml ?? '';
  if (ev.detailXml) {
    let children: ElementRecord[];
    try {
      children = scanXml(ev.detailXml, 'fragment', 0, isTypedElement).records;
    } catch (err) {
      throw new KizunaError('COT_INVALID', 'detailXml is not well-formed', { cause: err });
    }
    const counts = new Map<string, number>();
    for (const r of children) counts.set(r.name, (counts.get(r.name) ?? 0) + 1);
    let rest = '';
    let from = 0;
    for (const r of children) {
      const spec = TYPED_BY_ELEMENT.get(r.name);
      if (!spec || counts.get(r.name) !== 1) continue;
      const typed = toTyped(spec, ev.detailXml, r);
      if (!typed) continue;
      (detail as Record<string, unknown>)[spec.key] = typed;
      rest += ev.detailXml.slice(from, r.start);
      from = r.end;
    }
    rest += ev.detailXml.slice(from);
    xmlDetail += rest;
  }
  if (xmlDetail.trim() !== '') detail.xmlDetail = xmlDetail;

  const cot: ProtoCotEvent = {
    type: ev.type,
    uid: ev.uid,
    how: ev.how,
    sendTime: timeMs(ev.time, 'time'),
    startTime: timeMs(ev.start, 'start'),
    staleTime: timeMs(ev.stale, 'stale'),
    lat: ev.point.lat,
    lon: ev.point.lon,
    hae: unknownIfNaN(ev.point.hae),
    ce: unknownIfNaN(ev.point.ce),
    le: unknownIfNaN(ev.point.le),
  };
  if (ev.access !== undefined) cot.access = ev.access;
  if (ev.qos !== undefined) cot.qos = ev.qos;
  if (ev.opex !== undefined) cot.opex = ev.opex;
  if (ev.caveat !== undefined) cot.caveat = ev.caveat;
  if (ev.releasableTo !== undefined) cot.releaseableTo = ev.releasableTo;
  if (Object.keys(detail).length > 0) cot.detail = detail;
  return TakMessageType.encode(TakMessageType.create({ cotEvent: cot })).finish();
}

export interface DecodeTakOptions {
  /** Maximum payload size in bytes; default 1 MiB. */
  maxBytes?: number;
}

const toMs = (v: Uint64 | undefined): number => (v === undefined ? 0 : typeof v === 'number' ? v : v.toNumber());

function typedElement(spec: TypedSpec, msg: Record<string, unknown>): string {
  let out = `<${spec.element}`;
  for (const name of [...spec.required, ...spec.optional]) {
    const v = msg[name];
    if (spec.kind === 'string') {
      const s = typeof v === 'string' ? v : '';
      if (spec.optional.includes(name) && s === '') continue;
      out += ` ${name}="${escapeAttr(s)}"`;
    } else {
      out += ` ${name}="${formatXmlDouble(typeof v === 'number' ? v : 0)}"`;
    }
  }
  return out + '/>';
}

/**
 * TakMessage payload → CotEvent. A message without a cotEvent (a bare TakControl advertisement)
 * gives undefined. Bytes that are not a TakMessage ⇒ PROTO_DECODE; an xmlDetail that is not a
 * well-formed fragment ⇒ PROTO_DECODE (it could otherwise close <detail> early and smuggle content).
 */
export function decodeTakMessage(buf: Uint8Array, opts?: DecodeTakOptions): CotEvent | undefined {
  const max = opts?.maxBytes ?? DEFAULT_MAX_EVENT_BYTES;
  if (buf.length > max) throw new KizunaError('COT_TOO_LARGE', `${buf.length} > ${max} bytes`);
  let msg: ProtoTakMessage;
  try {
    msg = TakMessageType.decode(buf) as unknown as ProtoTakMessage;
  } catch (err) {
    throw new KizunaError('PROTO_DECODE', 'not a TakMessage', { cause: err });
  }
  const ce = msg.cotEvent;
  if (!ce) return undefined;

  const d = ce.detail ?? undefined;
  const xmlDetail = d?.xmlDetail ?? '';
  const present = new Set<string>();
  if (xmlDetail) {
    try {
      for (const r of scanXml(xmlDetail, 'fragment', 0, isTypedElement).records) present.add(r.name);
    } catch (err) {
      throw new KizunaError('PROTO_DECODE', 'xmlDetail is not a well-formed fragment', { cause: err });
    }
  }
  let typedXml = '';
  if (d) {
    for (const spec of TYPED) {
      const sub = d[spec.key];
      // An element of the same name in xmlDetail wins over the typed message.
      if (sub && !present.has(spec.element)) typedXml += typedElement(spec, sub as Record<string, unknown>);
    }
  }

  let times: [string, string, string];
  try {
    times = [cotTime(toMs(ce.sendTime)), cotTime(toMs(ce.startTime)), cotTime(toMs(ce.staleTime))];
  } catch (err) {
    throw new KizunaError('PROTO_DECODE', 'time out of range', { cause: err });
  }
  let xml = `<event version="2.0" uid="${escapeAttr(ce.uid ?? '')}" type="${escapeAttr(ce.type ?? '')}"`;
  if (ce.how) xml += ` how="${escapeAttr(ce.how)}"`;
  xml += ` time="${times[0]}" start="${times[1]}" stale="${times[2]}"`;
  if (ce.access) xml += ` access="${escapeAttr(ce.access)}"`;
  if (ce.qos) xml += ` qos="${escapeAttr(ce.qos)}"`;
  if (ce.opex) xml += ` opex="${escapeAttr(ce.opex)}"`;
  if (ce.caveat) xml += ` caveat="${escapeAttr(ce.caveat)}"`;
  if (ce.releaseableTo) xml += ` releasableTo="${escapeAttr(ce.releaseableTo)}"`;
  xml += `><point lat="${formatXmlDouble(ce.lat ?? 0)}" lon="${formatXmlDouble(ce.lon ?? 0)}" hae="${formatXmlDouble(ce.hae ?? 0)}" ce="${formatXmlDouble(ce.ce ?? 0)}" le="${formatXmlDouble(ce.le ?? 0)}"/>`;
  const inner = typedXml + xmlDetail;
  if (inner) xml += `<detail>${inner}</detail>`;
  xml += '</event>';
  return parseCotXmlString(xml);
}
