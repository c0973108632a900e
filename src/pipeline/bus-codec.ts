import type { CotEvent } from '../cot/model.js';
import { serializeCotXml } from '../cot/xml.js';
import type { SecurityLabel } from '../labels/types.js';
import { createLabelInterner } from '../labels/index.js';
import type { StoredEvent } from '../store/types.js';
import type { RouteInfo } from '../tak/routing.js';

/** What travels on the node's bus for each stored event: encoded once, decoded once per process. */
export interface BusEvent {
  stored: StoredEvent;
  cot: CotEvent;
  route: RouteInfo;
  hops: string[];
  /**
   * `stored.xml` is exactly `serializeCotXml(cot)`: true where that holds by construction (the pipeline
   * stores that serialisation; a bus message whose XML was rebuilt), so nobody serialises the event again.
   */
  xmlIsCot?: boolean;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

// JSON has no NaN/INF, but CoT points carry them (le="NaN" from real clients): tag them on the way.
const NON_FINITE = '\u0000num:';
const NON_FINITE_IN_JSON = JSON.stringify(NON_FINITE).slice(1, -1); // how the tag looks in JSON text
const replacer = (_k: string, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? NON_FINITE + String(v) : v);
const reviver = (_k: string, v: unknown) => (typeof v === 'string' && v.startsWith(NON_FINITE) ? Number(v.slice(NON_FINITE.length)) : v);
// A replacer or reviver runs for every value of the document (and takes JSON off V8's fast path):
// only pay for one when a non-finite number, or its tag, is there at all.
function hasNonFinite(v: unknown): boolean {
  if (typeof v === 'number') return !Number.isFinite(v);
  if (v === null || typeof v !== 'object') return false;
  for (const x of Array.isArray(v) ? v : Object.values(v)) if (hasNonFinite(x)) return true;
  return false;
}
const stringify = (v: unknown): string => (hasNonFinite(v) ? JSON.stringify(v, replacer) : JSON.stringify(v));
const parse = (text: string): unknown => (text.includes(NON_FINITE_IN_JSON) ? JSON.parse(text, reviver) : JSON.parse(text));

/** Marks the labelled wire form (an older process sends `<pid>\n<JSON>`, whose JSON starts with `{`). */
const LABEL_LINE = 0x4c; // 'L'

/**
 * Decoded labels by their JSON text. Events of a node carry few distinct labels; handing out the same
 * (frozen) object lets the guard's per-object digest cache hit instead of re-canonicalising each one.
 */
const interned = createLabelInterner(1024);

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

const parseFrozenLabel = (text: string) => deepFreeze(parse(text) as SecurityLabel);
const internLabel = (text: string): SecurityLabel => interned.byText(text, parseFrozenLabel);

interface WireBody extends Omit<BusEvent, 'stored' | 'cot'> {
  stored: Omit<StoredEvent, 'label' | 'xml'> & { xml?: string };
  cot: CotEvent;
  /** the CoT event's label is the stored label (the pipeline sets both to the same object) */
  cotLabel?: true;
  /** the stored XML is the serialised CoT event (the pipeline stores exactly that): rebuilt, not sent */
  cotXml?: true;
}

/**
 * Wire form: `<publishing process id>\nL<label JSON>\n<JSON of the rest>`. The prefix lets a process
 * recognise (and skip) its own events without decoding them: it has already delivered those from
 * memory. The label has its own line so a receiver can reuse the object it decoded for the same text.
 */
export function encodeBusEvent(e: BusEvent, processId = ''): Uint8Array {
  const { label, xml, ...rest } = e.stored;
  const shared = e.cot.label === label;
  // The largest field, and serialising is far cheaper than carrying and parsing it (checked, not assumed).
  const rebuilt = e.xmlIsCot === true || xml === serializeCotXml(e.cot);
  const body: WireBody = {
    stored: rebuilt ? rest : { ...rest, xml },
    cot: shared ? { ...e.cot, label: undefined } : e.cot,
    route: e.route,
    hops: e.hops,
    ...(shared ? { cotLabel: true as const } : {}),
    ...(rebuilt ? { cotXml: true as const } : {}),
  };
  return enc.encode(processId + '\nL' + stringify(label) + '\n' + stringify(body));
}

/** True when `b` was published by `processId` (compares the prefix bytes only). */
export function isFromProcess(b: Uint8Array, processId: string): boolean {
  if (processId === '' || b.length <= processId.length || b[processId.length] !== 0x0a) return false;
  for (let i = 0; i < processId.length; i++) if (b[i] !== processId.charCodeAt(i)) return false;
  return true;
}

export function decodeBusEvent(b: Uint8Array): BusEvent {
  const nl = b.indexOf(0x0a);
  if (nl < 0 || b[nl + 1] !== LABEL_LINE) return parse(dec.decode(nl >= 0 ? b.subarray(nl + 1) : b)) as BusEvent;
  const nl2 = b.indexOf(0x0a, nl + 2);
  const label = internLabel(dec.decode(b.subarray(nl + 2, nl2)));
  const body = parse(dec.decode(b.subarray(nl2 + 1))) as WireBody;
  // freshly parsed objects: completed in place rather than copied
  const e = body as unknown as BusEvent;
  e.stored.label = label;
  if (body.cotLabel) e.cot.label = label;
  if (body.cotXml) {
    e.stored.xml = serializeCotXml(e.cot);
    e.xmlIsCot = true;
  }
  delete body.cotLabel;
  delete body.cotXml;
  return e;
}
