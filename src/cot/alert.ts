/**
 * ATAK's emergency events: `b-a-o-tbl` (911), `b-a-o-pan` (ring the bell), `b-a-o-opn` (troops in contact),
 * `b-a-o-c` / other `b-a-o-*` (custom), `b-a-g` (geofence breach) and `b-a-o-can` (cancel). The detail names the
 * alerting unit in `<link uid relation="p-p">` and the text in `<emergency type="…">text</emergency>`; a cancel
 * may also be the same uid with `<emergency cancel="true">`.
 */
import { decodeAttr, elementNames, readAttributes, scanXml } from './xml-scan.js';

const ALERT_ELEMENTS = elementNames(['link', 'emergency']);

export interface AlertInfo {
  /** the CoT type's meaning: 'emergency' (911), 'panic', 'troops-in-contact', 'geofence', 'custom' */
  kind: 'emergency' | 'panic' | 'troops-in-contact' | 'geofence' | 'custom';
  /** `<emergency type>` as sent (e.g. "911 Alert") */
  label?: string;
  text?: string;
  /** uid of the unit in distress (`<link relation="p-p">`) */
  about?: string;
  cancel: boolean;
}

const MAX_TEXT = 500;

export function isAlertType(type: string): boolean {
  return type.startsWith('b-a-o') || type === 'b-a-g' || type.startsWith('b-a-g-');
}

function kindOf(type: string): AlertInfo['kind'] {
  if (type === 'b-a-o-tbl') return 'emergency';
  if (type === 'b-a-o-pan') return 'panic';
  if (type === 'b-a-o-opn') return 'troops-in-contact';
  if (type.startsWith('b-a-g')) return 'geofence';
  return 'custom';
}

function decodeText(raw: string): string {
  const cdata = /^\s*<!\[CDATA\[([\s\S]*?)\]\]>\s*$/.exec(raw);
  return (cdata ? cdata[1]! : decodeAttr(raw.replace(/<[^>]*>/g, ''))).trim().slice(0, MAX_TEXT);
}

export function alertInfo(type: string, detailXml: string): AlertInfo | undefined {
  if (!isAlertType(type)) return undefined;
  const info: AlertInfo = { kind: kindOf(type), cancel: type === 'b-a-o-can' };
  if (!detailXml) return info;
  let records;
  try {
    records = scanXml(detailXml, 'fragment', 0, ALERT_ELEMENTS).records;
  } catch {
    return info;
  }
  for (const r of records) {
    const a = readAttributes(detailXml, r.start);
    if (r.name === 'link' && info.about === undefined && (a.get('relation') ?? 'p-p') === 'p-p' && a.get('uid')) {
      info.about = decodeAttr(a.get('uid')!).slice(0, 256);
    } else if (r.name === 'emergency') {
      const t = a.get('type');
      if (t) info.label = decodeAttr(t).slice(0, 100);
      if (a.get('cancel') === 'true') info.cancel = true;
      const text = r.closeStart > r.openEnd ? decodeText(detailXml.slice(r.openEnd, r.closeStart)) : '';
      if (text) info.text = text;
    }
  }
  return info;
}
