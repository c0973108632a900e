import { parseCotXml } from '../cot/xml.js';
import { UNKNOWN_POINT_VALUE } from '../cot/xml.js';
import { alertInfo } from '../cot/alert.js';
import { shapeGeometry } from '../cot/shapes.js';
import type { StoredEvent } from '../store/types.js';
import type { LabelView, TrackView } from './contract.js';

const MAX_REMARKS = 2000;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeText(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g, (_m, ref: string) => {
    if (ref.startsWith('#x')) return String.fromCodePoint(Number.parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(Number.parseInt(ref.slice(1), 10));
    return ENTITIES[ref] ?? '';
  });
}

/** Text of <remarks> in the detail (CDATA or escaped text), bounded. */
function remarksOf(detailXml: string): string | undefined {
  const m = /<remarks\b[^>]*>([\s\S]*?)<\/remarks>/.exec(detailXml);
  if (!m?.[1]) return undefined;
  const raw = m[1];
  const cdata = /^\s*<!\[CDATA\[([\s\S]*?)\]\]>\s*$/.exec(raw);
  const text = (cdata ? cdata[1]! : decodeText(raw.replace(/<[^>]*>/g, ''))).trim();
  return text ? text.slice(0, MAX_REMARKS) : undefined;
}

/** JSON has no NaN: unknown altitudes (NaN or CoT's 9999999) become 0, coordinates must be finite. */
function finite(n: number, fallback = 0): number {
  return Number.isFinite(n) && n !== UNKNOWN_POINT_VALUE ? n : fallback;
}

/**
 * The browser's view of one stored event. Call it only with an event that the guard released for the
 * audience, and with that release's label rendered (`label`): the view carries nothing else.
 * The stored XML is parsed once per call; callers serialise once per audience.
 */
export function trackViewOf(event: StoredEvent, label: LabelView): TrackView {
  const ev = parseCotXml(event.xml);
  const view: TrackView = {
    uid: ev.uid,
    type: ev.type,
    callsign: ev.callsign ?? event.callsign ?? ev.uid,
    lat: finite(ev.point.lat),
    lon: finite(ev.point.lon),
    hae: finite(ev.point.hae),
    time: ev.time,
    stale: ev.stale,
    how: ev.how,
    origin: event.origin,
    label,
  };
  if (ev.course !== undefined && Number.isFinite(ev.course)) view.course = ev.course;
  if (ev.speed !== undefined && Number.isFinite(ev.speed)) view.speed = ev.speed;
  const remarks = remarksOf(ev.detailXml);
  if (remarks !== undefined) view.remarks = remarks;
  const shape = shapeGeometry(ev.type, ev.point, ev.detailXml);
  if (shape) view.shape = shape;
  const alert = alertInfo(ev.type, ev.detailXml);
  if (alert) view.alert = alert;
  return view;
}
