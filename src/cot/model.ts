import type { SecurityLabel } from '../labels/types.js';

/** CoT `<point>`; numbers as parsed (NaN allowed: real clients send le="NaN"). */
export interface CotPoint {
  lat: number;
  lon: number;
  hae: number;
  ce: number;
  le: number;
}

/**
 * One Cursor-on-Target event. `detailXml` holds the inner XML of `<detail>` exactly as received
 * (minus the 4774 label element, which is parsed into `label`), so unknown detail content survives
 * any round trip without re-serialisation. The routing fields below are extracted once at parse time.
 */
export interface CotEvent {
  version: string;
  uid: string;
  type: string;
  how: string;
  time: string;
  start: string;
  stale: string;
  access?: string;
  qos?: string;
  opex?: string;
  /** TAK's own releasability hooks, passed through verbatim (never used for release decisions). */
  caveat?: string;
  /** XML spelling; the proto field is `releaseableTo`. */
  releasableTo?: string;
  point: CotPoint;
  /** Inner XML of <detail> without the ConfidentialityLabel element; '' when empty or absent. */
  detailXml: string;
  /** Raw XML of the STANAG 4774 label element found in <detail> (parsed by src/labels, not here). */
  labelXml?: string;
  /** The parsed label, filled by the node pipeline (src/labels parses `labelXml`). */
  label?: SecurityLabel;
  /** Extracted for routing and display (never authoritative for release decisions). */
  callsign?: string;
  /** `__group name` (team colour / channel). */
  group?: string;
  /** `marti/dest` callsigns and uids; empty means broadcast. */
  destCallsigns?: string[];
  destUids?: string[];
  /** track course (deg) and speed (m/s) when present. */
  course?: number;
  speed?: number;
}
