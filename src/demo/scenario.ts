import type { CotEvent } from '../cot/model.js';

/**
 * An HA/DR and maritime-surveillance exercise: ships, aircraft and ground units of each nation plus
 * surveillance contacts, moving on simple tracks. Each unit has a label spec; the node that owns the unit
 * stamps the label (see demo/run.ts). With PHL in the demo the traffic is trilateral (REL TO all three),
 * bilateral (two nations) and national-only. Names and positions are fictitious exercise data.
 */
export interface LabelSpec {
  /** policy classification name of the owner's policy */
  classification: string;
  /** REL TO list; [owner] means owner-only (NOFORN-like) */
  relTo: string[];
}

export interface ScenarioUnit {
  uid: string;
  callsign: string;
  type: string;
  owner: 'JPN' | 'USA' | 'PHL';
  label: LabelSpec;
  /** centre of its pattern */
  lat: number;
  lon: number;
  /** pattern radius in degrees and angular speed in rad/s */
  radius: number;
  omega: number;
  phase: number;
  /** m/s, for the track detail */
  speed: number;
  remarks: string;
  /** published only when every one of these nations runs in the demo (keeps the two-nation picture as it was) */
  requires?: string[];
}

const BOTH = ['JPN', 'USA'];
const TRI = ['JPN', 'USA', 'PHL'];

export const SCENARIO: readonly ScenarioUnit[] = [
  // JPN units
  { uid: 'JPN-DDH-183', callsign: 'JS IZUMO', type: 'a-f-S-C-L-C-C', owner: 'JPN', label: { classification: 'UNCLASSIFIED', relTo: BOTH }, lat: 26.6, lon: 127.2, radius: 0.35, omega: 0.002, phase: 0, speed: 9, remarks: 'HA/DR command ship' },
  { uid: 'JPN-P1-5501', callsign: 'JMSDF P-1 5501', type: 'a-f-A-M-F-P', owner: 'JPN', label: { classification: 'UNCLASSIFIED', relTo: BOTH }, lat: 27.4, lon: 126.4, radius: 0.9, omega: 0.02, phase: 1, speed: 160, remarks: 'maritime patrol' },
  { uid: 'JPN-GSDF-15B', callsign: '15th Brigade HA/DR', type: 'a-f-G-U-C-I', owner: 'JPN', label: { classification: 'UNCLASSIFIED', relTo: BOTH }, lat: 26.33, lon: 127.8, radius: 0.05, omega: 0.004, phase: 2, speed: 3, remarks: 'relief distribution' },
  { uid: 'JPN-DD-SENSOR', callsign: 'JS SENSOR PICKET', type: 'a-f-S-C-L-D-D', owner: 'JPN', label: { classification: 'HI', relTo: ['JPN'] }, lat: 28.2, lon: 128.9, radius: 0.2, omega: 0.003, phase: 3, speed: 8, remarks: 'national tasking' },
  { uid: 'JPN-CONTACT-0042', callsign: 'CONTACT 0042', type: 'a-u-S-X', owner: 'JPN', label: { classification: 'HI', relTo: BOTH }, lat: 27.9, lon: 125.6, radius: 0.15, omega: 0.002, phase: 4, speed: 6, remarks: 'unidentified vessel, shadowing' },
  // USA units
  { uid: 'USA-LHD-SHIP', callsign: 'USS AMPHIB', type: 'a-f-S-C-L-S-L', owner: 'USA', label: { classification: 'UNCLASSIFIED', relTo: BOTH }, lat: 26.0, lon: 127.4, radius: 0.3, omega: 0.0025, phase: 5, speed: 8, remarks: 'HA/DR amphibious support' },
  { uid: 'USA-P8-611', callsign: 'NAVY P-8A 611', type: 'a-f-A-M-F-P', owner: 'USA', label: { classification: 'SECRET', relTo: BOTH }, lat: 28.0, lon: 127.0, radius: 1.0, omega: 0.018, phase: 6, speed: 170, remarks: 'maritime surveillance' },
  { uid: 'USA-MV22-01', callsign: 'MARINE MV-22 01', type: 'a-f-A-M-H', owner: 'USA', label: { classification: 'UNCLASSIFIED', relTo: BOTH }, lat: 26.4, lon: 127.9, radius: 0.25, omega: 0.03, phase: 0.5, speed: 110, remarks: 'relief airlift' },
  { uid: 'USA-SSN-NOFORN', callsign: 'SUBSURFACE ASSET', type: 'a-f-U-S', owner: 'USA', label: { classification: 'SECRET', relTo: ['USA'] }, lat: 27.2, lon: 129.4, radius: 0.2, omega: 0.001, phase: 1.5, speed: 7, remarks: 'US only' },
  { uid: 'USA-CONTACT-7', callsign: 'CONTACT 7', type: 'a-s-S-X', owner: 'USA', label: { classification: 'CONFIDENTIAL', relTo: BOTH }, lat: 28.6, lon: 126.0, radius: 0.12, omega: 0.002, phase: 2.5, speed: 5, remarks: 'suspect fishing vessel' },
  // trilateral and Philippine traffic (only units of nations running in the demo are published)
  { uid: 'JPN-LST-4001', callsign: 'JS OSUMI', type: 'a-f-S-C-L-S-L', owner: 'JPN', label: { classification: 'UNCLASSIFIED', relTo: TRI }, lat: 18.6, lon: 122.4, radius: 0.3, omega: 0.002, phase: 0.3, speed: 8, remarks: 'trilateral HA/DR sealift', requires: TRI },
  { uid: 'JPN-GSDF-NAT', callsign: 'GSDF LIAISON', type: 'a-f-G-U-C', owner: 'JPN', label: { classification: 'HI', relTo: ['JPN'] }, lat: 26.2, lon: 127.7, radius: 0.02, omega: 0.003, phase: 0.8, speed: 2, remarks: 'Japan only', requires: TRI },
  { uid: 'USA-C130-TRI', callsign: 'RELIEF 21', type: 'a-f-A-M-F-C', owner: 'USA', label: { classification: 'UNCLASSIFIED', relTo: TRI }, lat: 17.6, lon: 121.7, radius: 0.6, omega: 0.02, phase: 1.2, speed: 140, remarks: 'trilateral relief airlift', requires: TRI },
  { uid: 'USA-PHL-MDA', callsign: 'SEAHAWK 5', type: 'a-f-A-M-H', owner: 'USA', label: { classification: 'CONFIDENTIAL', relTo: ['USA', 'PHL'] }, lat: 15.0, lon: 119.0, radius: 0.4, omega: 0.015, phase: 2.2, speed: 60, remarks: 'US-Philippine maritime patrol', requires: TRI },
  { uid: 'PHL-BRP-601', callsign: 'BRP TARLAC', type: 'a-f-S-C-L-S-L', owner: 'PHL', label: { classification: 'UNCLASSIFIED', relTo: TRI }, lat: 18.2, lon: 121.9, radius: 0.25, omega: 0.002, phase: 0.1, speed: 7, remarks: 'trilateral HA/DR', requires: TRI },
  { uid: 'PHL-AFP-NAT', callsign: 'AFP COMMAND POST', type: 'a-f-G-U-C', owner: 'PHL', label: { classification: 'RESTRICTED', relTo: ['PHL'] }, lat: 17.6, lon: 121.7, radius: 0.01, omega: 0.003, phase: 0.5, speed: 1, remarks: 'Philippines only', requires: TRI },
];

/** Position of a unit at time t (ms): a circle around its centre. */
export function unitEvent(u: ScenarioUnit, nowMs: number, labelXml: string): CotEvent {
  const a = u.phase + u.omega * (nowMs / 1000);
  const lat = u.lat + u.radius * Math.sin(a);
  const lon = u.lon + u.radius * Math.cos(a) / Math.cos((u.lat * Math.PI) / 180);
  const course = ((Math.atan2(Math.cos(a), -Math.sin(a)) * 180) / Math.PI + 360) % 360;
  const t = new Date(nowMs).toISOString();
  const stale = new Date(nowMs + 60_000).toISOString();
  return {
    version: '2.0',
    uid: u.uid,
    type: u.type,
    how: 'm-g',
    time: t,
    start: t,
    stale,
    point: { lat: round(lat, 6), lon: round(lon, 6), hae: 0, ce: 50, le: 50 },
    detailXml:
      `<contact callsign="${u.callsign}"/>` +
      `<track course="${round(course, 1)}" speed="${u.speed}"/>` +
      `<remarks>${u.remarks}</remarks>`,
    labelXml,
    callsign: u.callsign,
    course: round(course, 1),
    speed: u.speed,
  };
}

function round(n: number, d: number): number {
  const f = 10 ** d;
  return Math.round(n * f) / f;
}
