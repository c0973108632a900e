import { isUtf8 } from 'node:buffer';
import { KizunaError } from '../util/errors.js';
import type { CotEvent, CotPoint } from './model.js';
import { cotTimeToMs } from './time.js';
import {
  type ElementFilter,
  type ElementRecord,
  attributeNames,
  decodeAttr,
  elementFilter,
  elementNames,
  escapeAttr,
  readAttributeValues,
  readAttributes,
  scanXml,
  spanIs,
  splitQName,
} from './xml-scan.js';

/**
 * CoT XML codec. Parsing validates the whole event with a single-pass scanner (./xml-scan.ts) and
 * builds records only for the envelope, <point>, the children of <detail> and their children; the
 * inner XML of <detail> is kept as a verbatim substring.
 *
 * Encoding decision (MISMATCH fixture): bytes are always decoded as UTF-8 and the `encoding`
 * pseudo-attribute of an `<?xml ...?>` declaration is ignored, as taky and TAK Server's stream
 * readers effectively do: the stream is UTF-8 (framing works on UTF-8 bytes), and .NET writers
 * stamp `encoding="utf-16"` on UTF-8 output. Invalid UTF-8 and UTF-16 byte order marks are
 * COT_PARSE.
 */

export const DEFAULT_MAX_EVENT_BYTES = 1024 * 1024;

export const LABEL_NAMESPACE = 'urn:nato:stanag:4774:confidentialitymetadatalabel:1:0';
const LABEL_LOCAL_NAMES = new Set(['originatorConfidentialityLabel', 'alternativeConfidentialityLabel', 'ConfidentialityLabel']);

/** Value used in <point> for an unknown hae/ce/le. */
export const UNKNOWN_POINT_VALUE = 9999999;

export interface ParseCotOptions {
  /** Maximum size in bytes (UTF-8); default 1 MiB. */
  maxBytes?: number;
}

export function parseCotXml(input: string | Buffer, opts?: ParseCotOptions): CotEvent {
  const max = opts?.maxBytes ?? DEFAULT_MAX_EVENT_BYTES;
  let s: string;
  if (typeof input === 'string') {
    // length counts UTF-16 units, never more than the UTF-8 byte count.
    if (input.length > max || (input.length * 3 > max && Buffer.byteLength(input, 'utf8') > max)) {
      throw new KizunaError('COT_TOO_LARGE', `more than ${max} bytes`);
    }
    s = input;
  } else {
    if (input.length > max) throw new KizunaError('COT_TOO_LARGE', `${input.length} > ${max} bytes`);
    if (input.length >= 2 && ((input[0] === 0xff && input[1] === 0xfe) || (input[0] === 0xfe && input[1] === 0xff))) {
      throw new KizunaError('COT_PARSE', 'UTF-16 is not accepted; CoT streams are UTF-8');
    }
    if (!isUtf8(input)) throw new KizunaError('COT_PARSE', 'invalid UTF-8');
    s = input.toString('utf8');
  }
  return parseCotXmlString(s);
}

/** Envelope attributes parseCotXml reads, and namespace declarations (a label may rely on one of the root's). */
const eventAttributeWanted = attributeNames(['uid', 'type', 'time', 'stale', 'start', 'version', 'how', 'access', 'qos', 'opex', 'caveat', 'releasableTo'], 'xmlns');
const pointAttributes = attributeNames(['lat', 'lon', 'hae', 'ce', 'le']);
/** Order = indices in readDestinations. */
const destAttributes = attributeNames(['callsign', 'uid']);
const trackAttributes = attributeNames(['course', 'speed']);
const callsignAttribute = attributeNames(['callsign']);
const nameAttribute = attributeNames(['name']);
const namespaceDeclarations = attributeNames([], 'xmlns');

/** Detail children parseCotXml interprets (besides labels, matched by their name's ending). */
const detailChildrenRead = elementNames(['contact', '__group', 'track']);
const LABEL_SUFFIX = 'ConfidentialityLabel';

/**
 * What parseCotXml reads: records for the envelope, <point>/<detail> and the detail children it
 * interprets, and the start offsets of <marti><dest> in the first <detail> (offsets, not records:
 * an event of nothing but destinations made one object each, ~7× a typical event's parse). Names are
 * compared as spans of the input: a string per element was most of the cost of many small ones.
 */
function recordFilter(destStarts: number[]): ElementFilter {
  let details = 0;
  let inMarti = false;
  return elementFilter((s, nameStart, nameEnd, depth, parent) => {
    if (depth <= 1) {
      if (depth === 1 && spanIs(s, nameStart, nameEnd, 'detail')) details++;
      return true;
    }
    const inFirstDetail = details === 1 && parent?.name === 'detail';
    if (depth === 2) {
      inMarti = inFirstDetail && spanIs(s, nameStart, nameEnd, 'marti');
      if (!inFirstDetail) return false;
      return detailChildrenRead(s, nameStart, nameEnd, depth, parent) || (nameEnd - nameStart >= LABEL_SUFFIX.length && s.startsWith(LABEL_SUFFIX, nameEnd - LABEL_SUFFIX.length));
    }
    if (inMarti && spanIs(s, nameStart, nameEnd, 'dest')) destStarts.push(nameStart - 1);
    return false;
  });
}

/** Parses an already-decoded, size-checked string (shared with the protobuf decoder). */
export function parseCotXmlString(s: string): CotEvent {
  const destStarts: number[] = [];
  // Only the root attributes read below, collected while validating: a Map of every root attribute,
  // or a second pass over them, cost as much again on hostile ones.
  const attrs = new Map<string, string>();
  const { records } = scanXml(s, 'document', 3, recordFilter(destStarts), { wanted: eventAttributeWanted, out: attrs });
  const root = records[0]!;
  if (root.name !== 'event') throw new KizunaError('COT_INVALID', 'root element is not <event>');
  const get = (name: string): string | undefined => {
    const raw = attrs.get(name);
    return raw === undefined ? undefined : decodeAttr(raw);
  };

  const uid = get('uid');
  const type = get('type');
  const time = get('time');
  const stale = get('stale');
  if (!uid) throw new KizunaError('COT_INVALID', 'missing uid');
  if (!type) throw new KizunaError('COT_INVALID', 'missing type');
  if (!time || Number.isNaN(cotTimeToMs(time))) throw new KizunaError('COT_INVALID', 'missing or invalid time');
  if (!stale || Number.isNaN(cotTimeToMs(stale))) throw new KizunaError('COT_INVALID', 'missing or invalid stale');
  const start = get('start') || time;
  if (start !== time && Number.isNaN(cotTimeToMs(start))) throw new KizunaError('COT_INVALID', 'invalid start');

  let pointRec: ElementRecord | undefined;
  let detailIdx = -1;
  for (let k = 1; k < records.length; k++) {
    const r = records[k]!;
    if (r.depth !== 1) continue;
    if (r.name === 'point' && !pointRec) pointRec = r;
    else if (r.name === 'detail' && detailIdx === -1) detailIdx = k;
  }
  if (!pointRec) throw new KizunaError('COT_INVALID', 'missing point');

  const ev: CotEvent = {
    version: get('version') || '2.0',
    uid,
    type,
    how: get('how') ?? '',
    time,
    start,
    stale,
    point: readPoint(s, pointRec),
    detailXml: '',
  };
  for (const opt of ['access', 'qos', 'opex', 'caveat', 'releasableTo'] as const) {
    const v = get(opt);
    if (v !== undefined) ev[opt] = v;
  }
  if (detailIdx !== -1) readDetail(s, records, detailIdx, attrs, ev);
  if (destStarts.length > 0) readDestinations(s, destStarts, ev);
  return ev;
}

/**
 * A decimal xs:double literal, surrounding whitespace allowed (Number() ignores it too). Written so
 * that no two branches can match the same digits: `\d+\.?\d*` backtracked quadratically on a long
 * digit run followed by a non-digit (80,000 digits took 14 s).
 */
const NUMBER = /^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

/** xs:double incl. NaN/INF/-INF; undefined when not a number at all. */
function parseXmlDouble(raw: string): number | undefined {
  if (NUMBER.test(raw)) return Number(raw);
  const t = raw.trim();
  if (t === 'NaN') return NaN;
  if (t === 'INF' || t === '+INF') return Infinity;
  if (t === '-INF') return -Infinity;
  return undefined;
}

function readPoint(s: string, rec: ElementRecord): CotPoint {
  const a = readAttributes(s, rec.start, pointAttributes);
  const coord = (name: 'lat' | 'lon', limit: number): number => {
    const raw = a.get(name);
    if (raw === undefined || !NUMBER.test(raw)) throw new KizunaError('COT_INVALID', `missing or invalid point ${name}`);
    const v = Number(raw);
    if (!(Math.abs(v) <= limit)) {
      throw new KizunaError('COT_INVALID', `missing or invalid point ${name}`);
    }
    return v;
  };
  const extent = (name: 'hae' | 'ce' | 'le'): number => {
    const raw = a.get(name);
    if (raw === undefined) return UNKNOWN_POINT_VALUE;
    const v = parseXmlDouble(raw);
    if (v === undefined) throw new KizunaError('COT_INVALID', `invalid point ${name}`);
    return v;
  };
  return { lat: coord('lat', 90), lon: coord('lon', 180), hae: extent('hae'), ce: extent('ce'), le: extent('le') };
}

function readDetail(
  s: string,
  records: ElementRecord[],
  detailIdx: number,
  eventAttrs: Map<string, string>,
  ev: CotEvent,
): void {
  const detail = records[detailIdx]!;
  let labelRec: ElementRecord | undefined;
  let labelDecl: string | undefined;
  let detailAttrs: Map<string, string> | undefined;

  for (let k = detailIdx + 1; k < records.length; k++) {
    const r = records[k]!;
    if (r.parent !== detailIdx) continue;
    const name = r.name;
    if (name === 'contact') {
      if (ev.callsign === undefined) {
        const cs = readAttributes(s, r.start, callsignAttribute).get('callsign');
        if (cs !== undefined) ev.callsign = decodeAttr(cs);
      }
    } else if (name === '__group') {
      if (ev.group === undefined) {
        const g = readAttributes(s, r.start, nameAttribute).get('name');
        if (g !== undefined) ev.group = decodeAttr(g);
      }
    } else if (name === 'track') {
      if (ev.course === undefined && ev.speed === undefined) {
        const t = readAttributes(s, r.start, trackAttributes);
        const course = finiteOrUndefined(t.get('course'));
        const speed = finiteOrUndefined(t.get('speed'));
        if (course !== undefined) ev.course = course;
        if (speed !== undefined) ev.speed = speed;
      }
    } else {
      const { prefix, local } = splitQName(name);
      if (!LABEL_LOCAL_NAMES.has(local)) continue;
      const declName = prefix ? `xmlns:${prefix}` : 'xmlns';
      const own = readAttributes(s, r.start, attributeNames([declName])).get(declName);
      let ns = own;
      if (ns === undefined) {
        detailAttrs ??= readAttributes(s, detail.start, namespaceDeclarations);
        ns = detailAttrs.get(declName) ?? eventAttrs.get(declName);
      }
      if (ns === undefined || decodeAttr(ns) !== LABEL_NAMESPACE) continue;
      // Fail closed: two labels on one object would leave the release decision ambiguous.
      if (labelRec) throw new KizunaError('COT_INVALID', 'more than one confidentiality label in detail');
      labelRec = r;
      // Declared on an ancestor: carry the declaration so the cut-out label stands alone.
      labelDecl = own === undefined ? ` ${declName}="${escapeAttr(LABEL_NAMESPACE)}"` : undefined;
    }
  }

  if (labelRec) {
    const nameEnd = labelRec.start + 1 + labelRec.name.length;
    ev.labelXml = labelDecl
      ? s.slice(labelRec.start, nameEnd) + labelDecl + s.slice(nameEnd, labelRec.end)
      : s.slice(labelRec.start, labelRec.end);
    ev.detailXml = s.slice(detail.openEnd, labelRec.start) + s.slice(labelRec.end, detail.closeStart);
  } else {
    ev.detailXml = s.slice(detail.openEnd, detail.closeStart);
  }
}

/** Callsigns and uids of <marti><dest> (values read in place into one reused array: an event may carry tens of thousands). */
function readDestinations(s: string, starts: number[], ev: CotEvent): void {
  const callsigns: string[] = [];
  const uids: string[] = [];
  const a: (string | undefined)[] = [undefined, undefined];
  for (const start of starts) {
    readAttributeValues(s, start, destAttributes, a);
    const cs = a[0];
    const uid = a[1];
    if (cs !== undefined) callsigns.push(decodeAttr(cs));
    if (uid !== undefined) uids.push(decodeAttr(uid));
  }
  if (callsigns.length > 0) ev.destCallsigns = callsigns;
  if (uids.length > 0) ev.destUids = uids;
}

function finiteOrUndefined(raw: string | undefined): number | undefined {
  if (raw === undefined || !NUMBER.test(raw)) return undefined;
  return Number(raw);
}

/** XML Schema lexical form of a double ('NaN', 'INF', '-INF' included). */
export function formatXmlDouble(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'INF';
  if (n === -Infinity) return '-INF';
  return String(n);
}

/**
 * Serialises without an XML declaration (receivers split on `</event>`; a declaration per event
 * only trips pull parsers). `detailXml` is trusted to be well-formed: it comes from
 * parseCotXml/decodeTakMessage or from our own builders. The label goes back as the first child.
 */
export function serializeCotXml(ev: CotEvent): string {
  let out = `<event version="${escapeAttr(ev.version || '2.0')}" uid="${escapeAttr(ev.uid)}" type="${escapeAttr(ev.type)}"`;
  if (ev.how) out += ` how="${escapeAttr(ev.how)}"`;
  out += ` time="${escapeAttr(ev.time)}" start="${escapeAttr(ev.start)}" stale="${escapeAttr(ev.stale)}"`;
  if (ev.access !== undefined) out += ` access="${escapeAttr(ev.access)}"`;
  if (ev.qos !== undefined) out += ` qos="${escapeAttr(ev.qos)}"`;
  if (ev.opex !== undefined) out += ` opex="${escapeAttr(ev.opex)}"`;
  if (ev.caveat !== undefined) out += ` caveat="${escapeAttr(ev.caveat)}"`;
  if (ev.releasableTo !== undefined) out += ` releasableTo="${escapeAttr(ev.releasableTo)}"`;
  const p = ev.point;
  out += `><point lat="${formatXmlDouble(p.lat)}" lon="${formatXmlDouble(p.lon)}" hae="${formatXmlDouble(p.hae)}" ce="${formatXmlDouble(p.ce)}" le="${formatXmlDouble(p.le)}"/>`;
  const detail = (ev.labelXml ?? '') + ev.detailXml;
  if (detail) out += `<detail>${detail}</detail>`;
  return out + '</event>';
}
