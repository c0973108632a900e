/**
 * Feed tracks as CoT: CoT type by AIS ship type or aircraft category with the feed's affiliation, the
 * vessel's or aircraft's identity in `<contact>` and `<remarks>`, course/speed in `<track>`. The label is
 * not set here: the node's ingest applies the feed's label to every event.
 */
import type { CotEvent } from '../cot/model.js';
import { cotTime } from '../cot/time.js';
import { memoLast } from '../util/memo.js';
import { escapeAttr } from '../cot/xml-scan.js';
import type { AisStatic } from './ais.js';
import { EMERGENCY_SQUAWKS } from './adsb.js';

export type Affiliation = 'f' | 'a' | 'n' | 'u' | 's' | 'h' | 'j' | 'k' | 'p';

export interface MapOptions {
  affiliation: Affiliation;
  staleMs: number;
  /** CoT type function atoms (after `a-<aff>-`) overriding the defaults, keyed by AIS ship type number,
   * 'aton', 'vessel', 'aircraft' or a dump1090 category such as 'A7' */
  types?: Readonly<Record<string, string>>;
}

/** A vessel as last heard: the identity fields of its static report plus position and motion. */
export interface VesselState extends Omit<AisStatic, 'kind' | 'msgType'> {
  lat?: number;
  lon?: number;
  speedKt?: number;
  course?: number;
  heading?: number;
  /** aid to navigation (type 21) */
  aton?: { aidType: number; virtual: boolean; offPosition: boolean };
  /** when the position was last reported (ms): the CoT stale time counts from it */
  positionAt?: number;
}

export interface AircraftState {
  icao: string;
  callsign?: string;
  lat?: number;
  lon?: number;
  altitudeFt?: number;
  speedKt?: number;
  track?: number;
  squawk?: string;
  onGround?: boolean;
  category?: string;
  /** when the position was last reported (ms): the CoT stale time counts from it */
  positionAt?: number;
}

const KT_TO_MS = 0.514444;
const FT_TO_M = 0.3048;
// CoT's "unknown" circular/linear error
const UNKNOWN_ERR = 9999999;

/** 2525C sea-surface functions by AIS ship type (ITU-R M.1371 table 53). */
export function vesselFunction(shipType: number | undefined): string {
  if (shipType === undefined) return 'S-X';
  if (shipType === 30) return 'S-X-F';
  if (shipType === 31 || shipType === 32 || shipType === 52) return 'S-X-M-T-U';
  if (shipType === 35) return 'S';
  if (shipType === 36 || shipType === 37) return 'S-X-R';
  if (shipType === 55) return 'S-X-L';
  if (shipType >= 60 && shipType <= 69) return 'S-X-M-P';
  if (shipType >= 70 && shipType <= 79) return 'S-X-M-C';
  if (shipType >= 80 && shipType <= 89) return 'S-X-M-O';
  if (shipType >= 40 && shipType <= 49) return 'S-X-M';
  return 'S-X';
}

export function aircraftFunction(category: string | undefined): string {
  if (category === 'A7') return 'A-C-H';
  if (category && /^A[1-6]$/.test(category)) return 'A-C-F';
  return 'A-C';
}

const clean = (s: string, max = 64): string => s.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, max);
const attr = (s: string, max = 64): string => escapeAttr(clean(s, max));

export function vesselUid(mmsi: number): string {
  return `MMSI-${mmsi}`;
}
/** a non-ICAO address ('~' + hex, TIS-B) has its own uid space: it must not update the ICAO track of the same hex */
export function aircraftUid(icao: string): string {
  return icao.startsWith('~') ? `NONICAO-${icao.slice(1)}` : `ICAO-${icao}`;
}

/**
 * The last time string asked for, per use: every track of a feed's batch is stamped with the batch's one
 * `now` (and most share a stale time), so the strings are built once per batch, not three times per track.
 */
const timeText = memoLast(cotTime);
const staleText = memoLast(cotTime);

/** `staleAt`: a track's stale time counts from its last position, not from a report that only named it */
function envelope(uid: string, type: string, now: number, staleAt: number, lat: number, lon: number, hae: number): CotEvent {
  const time = timeText(now);
  return {
    version: '2.0',
    uid,
    type,
    how: 'm-g',
    time,
    start: time,
    stale: staleText(staleAt),
    point: { lat, lon, hae, ce: UNKNOWN_ERR, le: UNKNOWN_ERR },
    detailXml: '',
  };
}

/** A vessel with a position as CoT; undefined while its position is unknown. */
export function vesselCot(v: VesselState, o: MapOptions, now: number): CotEvent | undefined {
  if (v.lat === undefined || v.lon === undefined) return undefined;
  const staleAt = (v.positionAt ?? now) + o.staleMs;
  if (staleAt <= now) return undefined;
  // ship type 0 is "not available"; an aid to navigation is not a vessel: only the aton override applies to it
  const shipType = v.shipType ? v.shipType : undefined;
  const fn = v.aton ? (o.types?.aton ?? 'S-X') : ((shipType !== undefined ? o.types?.[String(shipType)] : undefined) ?? o.types?.vessel ?? vesselFunction(shipType));
  const ev = envelope(vesselUid(v.mmsi), `a-${o.affiliation}-${fn}`, now, staleAt, v.lat, v.lon, 0);
  const callsign = v.name ?? v.callsign ?? `MMSI ${v.mmsi}`;
  ev.callsign = clean(callsign);
  const remarks = [`MMSI ${v.mmsi}`];
  if (v.imo) remarks.push(`IMO ${v.imo}`);
  if (v.callsign) remarks.push(`call sign ${v.callsign}`);
  if (shipType !== undefined) remarks.push(`AIS type ${shipType}`);
  // dimensions of 0 mean "not available"
  const length = v.dims ? v.dims.toBow + v.dims.toStern : 0;
  const beam = v.dims ? v.dims.toPort + v.dims.toStarboard : 0;
  if (length > 0 && beam > 0) remarks.push(`size ${length} x ${beam} m`);
  if (v.draught) remarks.push(`draught ${v.draught} m`);
  if (v.destination) remarks.push(`destination ${v.destination}`);
  if (v.mothership) remarks.push(`auxiliary craft of MMSI ${v.mothership}`);
  if (v.aton) remarks.push(`aid to navigation type ${v.aton.aidType}${v.aton.virtual ? ' (virtual)' : ''}${v.aton.offPosition ? ' OFF POSITION' : ''}`);
  let detail = `<contact callsign="${attr(callsign)}"/>`;
  // course over ground, else the heading; without a course or a speed there is no track (never a made-up 0)
  const course = v.course ?? v.heading;
  if (course !== undefined && v.speedKt !== undefined) {
    const speed = v.speedKt * KT_TO_MS;
    detail += `<track course="${course}" speed="${Math.round(speed * 100) / 100}"/>`;
    ev.course = course;
    ev.speed = Math.round(speed * 100) / 100;
  }
  detail += `<remarks>${attr(remarks.join('; '), 512)}</remarks>`;
  ev.detailXml = detail;
  return ev;
}

/** The CoT type of an aircraft's track (the alert's link names it too). */
export function aircraftType(a: AircraftState, o: MapOptions): string {
  const fn = (a.category && o.types?.[a.category]) ?? o.types?.aircraft ?? aircraftFunction(a.category);
  return `a-${o.affiliation}-${fn}`;
}

/** An aircraft with a position as CoT; undefined while its position is unknown. */
export function aircraftCot(a: AircraftState, o: MapOptions, now: number): CotEvent | undefined {
  if (a.lat === undefined || a.lon === undefined) return undefined;
  const staleAt = (a.positionAt ?? now) + o.staleMs;
  if (staleAt <= now) return undefined;
  const hae = a.altitudeFt !== undefined && !a.onGround ? Math.round(a.altitudeFt * FT_TO_M) : 0;
  const ev = envelope(aircraftUid(a.icao), aircraftType(a, o), now, staleAt, a.lat, a.lon, hae);
  const callsign = a.callsign ?? a.icao;
  ev.callsign = clean(callsign);
  const remarks = [a.icao.startsWith('~') ? `non-ICAO address ${a.icao.slice(1)}` : `ICAO ${a.icao}`];
  if (a.squawk) remarks.push(`squawk ${a.squawk}${EMERGENCY_SQUAWKS[a.squawk] ? ` (${EMERGENCY_SQUAWKS[a.squawk]})` : ''}`);
  if (a.altitudeFt !== undefined) remarks.push(`altitude ${a.altitudeFt} ft`);
  if (a.onGround) remarks.push('on ground');
  let detail = `<contact callsign="${attr(callsign)}"/>`;
  // SBS sends speed and track together; a half-known motion is left out rather than completed with 0
  if (a.track !== undefined && a.speedKt !== undefined) {
    const speed = Math.round(a.speedKt * KT_TO_MS * 100) / 100;
    detail += `<track course="${a.track}" speed="${speed}"/>`;
    ev.course = a.track;
    ev.speed = speed;
  }
  detail += `<remarks>${attr(remarks.join('; '), 512)}</remarks>`;
  ev.detailXml = detail;
  return ev;
}

/** uid of the alert an aircraft's emergency squawk raises: ATAK's emergency uid, the sender's uid + `-9-1-1` */
export function squawkAlertUid(icao: string): string {
  return `${aircraftUid(icao)}-9-1-1`;
}

/**
 * The alert an emergency squawk raises, in ATAK's own emergency shape (EmergencyManager: `b-a-o-tbl`,
 * uid `<sender>-9-1-1`, `<link relation="p-p">` to the sender with its type, `<contact callsign="X-Alert">`,
 * `<emergency type="911 Alert">`), so ATAK/WinTAK and the web COP treat it as any emergency; when the squawk
 * clears, ATAK's cancel (`b-a-o-can`, same uid, `<emergency cancel="true">`) replaces it.
 */
export function squawkAlertCot(a: AircraftState, o: MapOptions, now: number, cancel: boolean): CotEvent | undefined {
  if (a.lat === undefined || a.lon === undefined) return undefined;
  const who = clean(a.callsign ?? a.icao);
  const meaning = a.squawk ? EMERGENCY_SQUAWKS[a.squawk] : undefined;
  const text = cancel || !meaning ? `${who} squawk cleared` : `${who} squawk ${a.squawk} (${meaning})`;
  const ev = envelope(squawkAlertUid(a.icao), cancel ? 'b-a-o-can' : 'b-a-o-tbl', now, now + o.staleMs, a.lat, a.lon, 0);
  ev.how = 'h-e';
  ev.callsign = `${who}-Alert`;
  ev.detailXml =
    `<link uid="${attr(aircraftUid(a.icao))}" type="${attr(aircraftType(a, o))}" relation="p-p"/>` +
    `<contact callsign="${attr(`${who}-Alert`)}"/>` +
    (cancel ? `<emergency cancel="true">${attr(text)}</emergency>` : `<emergency type="911 Alert">${attr(text)}</emergency>`) +
    `<remarks>${attr(text)}</remarks>`;
  return ev;
}
