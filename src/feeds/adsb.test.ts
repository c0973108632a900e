import { describe, expect, it } from 'vitest';
import { parseAircraftJson, parseSbsLine } from './adsb.js';
import { aircraftUid } from './cot-map.js';

/** SBS-1 lines as published in node-sbs1's sample capture (msgs.txt) and its tests, and dump1090 field names. */
describe('SBS-1 BaseStation lines', () => {
  it('reads each message kind that carries picture data', () => {
    expect(parseSbsLine('MSG,1,,,4B1908,,,,,,SWR40   ,,,,,,,,0,0,0,0')).toEqual({ ok: true, report: { icao: '4B1908', callsign: 'SWR40', onGround: false } });
    expect(parseSbsLine('MSG,3,,,4B1908,,,,,,,2525,,,33.96693,-118.25598,,,0,0,0,0')).toEqual({
      ok: true,
      report: { icao: '4B1908', altitudeFt: 2525, lat: 33.96693, lon: -118.25598, onGround: false },
    });
    expect(parseSbsLine('MSG,4,,,76CCE2,,,,,,,,298,96,,,-128,,0,0,0,0')).toEqual({ ok: true, report: { icao: '76CCE2', speedKt: 298, track: 96, onGround: false } });
    expect(parseSbsLine('MSG,6,,,A92D10,,,,,,,,,,,,,4622,0,0,0,0')).toEqual({ ok: true, report: { icao: 'A92D10', squawk: '4622', onGround: false } });
    expect(parseSbsLine('MSG,5,,,ADFE14,,,,,,,0,,,,,,,,,,')).toEqual({ ok: true, report: { icao: 'ADFE14', altitudeFt: 0 } });
    expect(parseSbsLine('MSG,8,111,11111,3C49CC,111111,2016/01/12,13:45:30.372,2016/01/12,13:45:30.372,,,,,,,,,,,,-1')).toEqual({
      ok: true,
      report: { icao: '3C49CC', onGround: true },
    });
  });

  it('ignores status lines and refuses malformed ones', () => {
    expect(parseSbsLine('SEL,,496,2286,4CA4E5,27215,2010/02/19,18:06:07.710,2010/02/19,18:06:07.710,RYR1427')).toEqual({ ok: true, report: undefined });
    expect(parseSbsLine('MSG,3,,,XYZ123,,,,,,,2525,,,33.9,-118.2,,,0,0,0,0')).toEqual({ ok: false, reason: 'format' });
    expect(parseSbsLine('MSG,9,,,4B1908,,,,,,,2525')).toEqual({ ok: false, reason: 'format' });
    expect(parseSbsLine('garbage')).toEqual({ ok: false, reason: 'format' });
    expect(parseSbsLine('MSG,3,,,4B1908,' + ',x'.repeat(400))).toEqual({ ok: false, reason: 'format' });
    // out-of-range numbers are dropped, not trusted
    expect(parseSbsLine('MSG,3,,,4B1908,,,,,,,2525,,,133.9,-118.2,,,0,0,0,0')).toEqual({ ok: true, report: { icao: '4B1908', altitudeFt: 2525, onGround: false } });
  });
});

describe('dump1090 aircraft.json', () => {
  it('reads both the old and the readsb field names and skips stale entries', () => {
    const r = parseAircraftJson({
      now: 1700000000.5,
      messages: 100,
      aircraft: [
        { hex: '4ca7b5', flight: 'RYR5TK  ', alt_baro: 37000, gs: 451.2, track: 118.6, lat: 52.1, lon: -1.2, squawk: '7700', category: 'A3', seen: 0.4, seen_pos: 1 },
        { hex: '~2a0001', altitude: 1200, speed: 90, lat: 35.6, lon: 139.7, seen: 2 },
        { hex: 'abcdef', alt_baro: 'ground', seen: 1 },
        { hex: '400000', lat: 1, lon: 1, seen: 300 },
        { hex: 'nothex' },
        42,
      ],
    });
    expect(r.now).toBe(1700000000.5);
    expect(r.errors).toBe(2);
    expect(r.reports).toEqual([
      { icao: '4CA7B5', callsign: 'RYR5TK', altitudeFt: 37000, speedKt: 451.2, track: 118.6, lat: 52.1, lon: -1.2, squawk: '7700', category: 'A3' },
      // readsb's '~' marks a non-ICAO (TIS-B) address: kept apart from the aircraft whose ICAO address is 2A0001
      { icao: '~2A0001', altitudeFt: 1200, speedKt: 90, lat: 35.6, lon: 139.7 },
      { icao: 'ABCDEF', onGround: true },
    ]);
    expect(parseAircraftJson({ nope: true })).toEqual({ reports: [], errors: 1 });
  });
});

describe('non-ICAO addresses', () => {
  it('get a uid of their own, never the ICAO track of the same hex', () => {
    expect(aircraftUid('~2A0001')).toBe('NONICAO-2A0001');
    expect(aircraftUid('2A0001')).toBe('ICAO-2A0001');
  });
});
