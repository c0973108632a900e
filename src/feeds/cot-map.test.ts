import { describe, expect, it } from 'vitest';
import { decodeAis } from './ais.js';
import { aircraftCot, vesselCot, type MapOptions, type VesselState } from './cot-map.js';
import { parseAisSentence } from './nmea.js';
import { type1 } from '../../test/support/ais-encode.js';

const o: MapOptions = { affiliation: 'n', staleMs: 60_000 };
const at = { mmsi: 431000001, lat: 35, lon: 139 };

describe('vessel CoT never shows "not available" as a value', () => {
  it('the decoder leaves out speed 102.3, course 360, heading 511 and lat 91 / lon 181', () => {
    const s = parseAisSentence(type1({ mmsi: 431000001, lat: 91, lon: 181 }));
    expect(s.ok).toBe(true);
    const r = s.ok ? decodeAis({ payload: s.sentence.payload, fillBits: s.sentence.fillBits, own: false }) : undefined;
    expect(r).toMatchObject({ ok: true, message: { mmsi: 431000001 } });
    const m = r?.ok ? r.message : undefined;
    for (const k of ['lat', 'lon', 'speed', 'course', 'heading']) expect(m && k in m ? (m as unknown as Record<string, unknown>)[k] : undefined, k).toBeUndefined();
  });

  it('zero (unknown) dimensions and ship type 0 (not available) are not in the remarks', () => {
    const ev = vesselCot({ ...at, shipType: 0, dims: { toBow: 0, toStern: 0, toPort: 0, toStarboard: 0 } }, o, 0)!;
    expect(ev.detailXml).not.toMatch(/size|AIS type/);
    const sized = vesselCot({ ...at, shipType: 70, dims: { toBow: 100, toStern: 20, toPort: 10, toStarboard: 10 } }, o, 0)!;
    expect(sized.detailXml).toContain('AIS type 70; size 120 x 20 m');
  });

  it('no <track> when the course (and heading) or the speed is not available: no made-up 0', () => {
    const speedOnly: VesselState = { ...at, speedKt: 12 };
    const courseOnly: VesselState = { ...at, course: 90 };
    for (const v of [speedOnly, courseOnly]) {
      const ev = vesselCot(v, o, 0)!;
      expect(ev.detailXml).not.toContain('<track');
      expect(ev.course).toBeUndefined();
      expect(ev.speed).toBeUndefined();
    }
    // the heading stands in for a missing course over ground
    const byHeading = vesselCot({ ...at, speedKt: 0.1, heading: 45 }, o, 0)!;
    expect(byHeading.course).toBe(45);
  });
});

describe('aircraft CoT', () => {
  it('no <track> with a ground speed but no track angle (or the reverse)', () => {
    for (const a of [{ speedKt: 300 }, { track: 45 }]) {
      const ev = aircraftCot({ icao: '86D52E', lat: 35, lon: 139, ...a }, o, 0)!;
      expect(ev.detailXml).not.toContain('<track');
      expect(ev.course).toBeUndefined();
    }
    expect(aircraftCot({ icao: '86D52E', lat: 35, lon: 139, speedKt: 300, track: 45 }, o, 0)!.course).toBe(45);
  });
});

describe('the feed CoT type override', () => {
  it('an aid to navigation takes the aton override, never the vessel one', () => {
    const aton: VesselState = { ...at, mmsi: 992310001, aton: { aidType: 1, virtual: false, offPosition: false } };
    expect(vesselCot(aton, { ...o, types: { vessel: 'S-X-M' } }, 0)!.type).toBe('a-n-S-X');
    expect(vesselCot(aton, { ...o, types: { vessel: 'S-X-M', aton: 'S-N' } }, 0)!.type).toBe('a-n-S-N');
    expect(vesselCot({ ...at, shipType: 70 }, { ...o, types: { vessel: 'S-X-M' } }, 0)!.type).toBe('a-n-S-X-M');
    expect(vesselCot({ ...at, shipType: 70 }, { ...o, types: { vessel: 'S-X-M', '70': 'S-X-M-C' } }, 0)!.type).toBe('a-n-S-X-M-C');
  });
});
