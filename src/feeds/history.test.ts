/** What counts as a change of a track (a history row at once) and what is motion (sampled). */
import { describe, expect, it } from 'vitest';
import { aircraftCot, vesselCot, type AircraftState, type VesselState } from './cot-map.js';
import { takeHistory, trackIdentity } from './history.js';

const map = { affiliation: 'u' as const, staleMs: 300_000 };
const NOW = Date.parse('2026-12-03T06:00:00Z');

describe('trackIdentity', () => {
  it('a vessel: position, course and speed are motion; name, ship type and static data are not', () => {
    const v: VesselState = { mmsi: 431000001, lat: 35, lon: 139, speedKt: 10, course: 90, positionAt: NOW, name: 'A', shipType: 70, destination: 'TOKYO' };
    const id = (w: VesselState) => trackIdentity(vesselCot(w, map, NOW)!);
    expect(id({ ...v, lat: 35.1, lon: 139.2, speedKt: 12, course: 95, heading: 94 })).toBe(id(v));
    for (const changed of [{ name: 'B' }, { shipType: 80 }, { destination: 'OSAKA' }, { imo: 9000001 }, { draught: 7.5 }]) {
      expect(id({ ...v, ...changed })).not.toBe(id(v));
    }
  });

  it('an aircraft: altitude and speed are motion; callsign, squawk, category and landing are not', () => {
    const a: AircraftState = { icao: '84C0DE', lat: 35, lon: 139, altitudeFt: 10_000, speedKt: 300, track: 90, callsign: 'JAL1', squawk: '1200', category: 'A3', positionAt: NOW };
    const id = (b: AircraftState) => trackIdentity(aircraftCot(b, map, NOW)!, b);
    expect(id({ ...a, altitudeFt: 12_000, speedKt: 320, lat: 35.2 })).toBe(id(a));
    for (const changed of [{ callsign: 'JAL2' }, { squawk: '7700' }, { category: 'A7' }, { onGround: true }]) expect(id({ ...a, ...changed })).not.toBe(id(a));
  });
});

describe('takeHistory', () => {
  it('first update, then once per interval or on a change of identity; 0 keeps every update', () => {
    const mark = {};
    expect([0, 10_000, 29_999, 30_000, 40_000].map((t) => takeHistory(mark, 1, t, 30_000))).toEqual([true, false, false, true, false]);
    expect(takeHistory(mark, 2, 41_000, 30_000)).toBe(true);
    expect(takeHistory(mark, 2, 42_000, 30_000)).toBe(false);
    const every = {};
    expect([0, 1, 2].map((t) => takeHistory(every, 1, t, 0))).toEqual([true, true, true]);
  });
});
