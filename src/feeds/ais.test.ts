import { describe, expect, it } from 'vitest';
import { Bits, decodeAis, type AisMessage } from './ais.js';
import { MultipartAssembler, nmeaChecksum, parseAisSentence } from './nmea.js';
import { type24b } from '../../test/support/ais-encode.js';

/**
 * Published sentences with their published decodings: pyais' test suite (tests/test_decode.py), which
 * cross-checks against ais.tbsalling.dk and libais, and gpsd's type 24 pair (MMSI 271041815, also in
 * AisLib and nmea-parser test suites). Expected values are copied from those sources, not from this decoder.
 */
function decodeLines(...lines: string[]): AisMessage | undefined {
  const asm = new MultipartAssembler();
  let out: AisMessage | undefined;
  for (const l of lines) {
    const s = parseAisSentence(l);
    if (!s.ok) throw new Error(`${s.reason}: ${l}`);
    const p = asm.push(s.sentence);
    if (p) {
      const r = decodeAis(p);
      if (!r.ok) throw new Error(`${r.reason}: ${l}`);
      out = r.message;
    }
  }
  return out;
}

describe('AIS decoder against published sentences', () => {
  it('type 1 (pyais test_msg_type_1_a)', () => {
    const m = decodeLines('!AIVDM,1,1,,B,15M67FC000G?ufbE`FepT@3n00Sa,0*5C');
    expect(m).toMatchObject({ kind: 'position', msgType: 1, mmsi: 366053209, navStatus: 3, speed: 0, accuracy: false, course: 219.3, heading: 1 });
    expect((m as { lon: number }).lon).toBeCloseTo(-122.341618, 5);
    expect((m as { lat: number }).lat).toBeCloseTo(37.802118, 5);
  });

  it('type 1 with heading not available and speed (pyais 1_b, 1_c, decode_1_speed)', () => {
    const b = decodeLines('!AIVDM,1,1,,A,15NPOOPP00o?b=bE`UNv4?w428D;,0*24');
    expect(b).toMatchObject({ mmsi: 367533950, navStatus: 0, speed: 0, accuracy: true });
    expect(b && 'heading' in b ? b.heading : 'x').toBeUndefined(); // 511 = not available
    expect((b as { lat: number }).lat).toBeCloseTo(37.8084, 4);
    expect(decodeLines('!AIVDM,1,1,,B,181:Kjh01ewHFRPDK1s3IRcn06sd,0*08')).toMatchObject({ mmsi: 538090443, speed: 10.9, course: 87 });
    // published with a wrong checksum (pyais does not check by default): refused here, payload still decodes
    expect(parseAisSentence('!AIVDM,1,1,,A,13@nePh01>PjcO4PGReoJEmL0HJg,0*67')).toEqual({ ok: false, reason: 'checksum' });
    expect(decodeAis({ payload: '13@nePh01>PjcO4PGReoJEmL0HJg', fillBits: 0, own: false })).toMatchObject({ message: { msgType: 1, speed: 7.8 } });
  });

  it('type 3 (pyais test_msg_type_3)', () => {
    const m = decodeLines('!AIVDM,1,1,,A,35NSH95001G?wopE`beasVk@0E5:,0*6F');
    expect(m).toMatchObject({ msgType: 3, mmsi: 367581220, navStatus: 5, speed: 0.1, heading: 217 });
    expect((m as { course: number }).course).toBeCloseTo(254.2, 1);
    expect((m as { lon: number }).lon).toBeCloseTo(-122.3343, 4);
  });

  it('type 5 in two parts (pyais test_msg_type_5) and out of order (test_decode_out_of_order)', () => {
    const m = decodeLines(
      '!AIVDM,2,1,1,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0*1C',
      '!AIVDM,2,2,1,A,88888888880,2*25',
    );
    expect(m).toMatchObject({ kind: 'static', msgType: 5, callsign: '3FOF8', name: 'EVER DIADEM', shipType: 70, destination: 'NEW YORK', draught: 12.2 });
    expect(m).toMatchObject({ dims: { toBow: 225, toStern: 70, toPort: 1, toStarboard: 31 } });
    const r = decodeLines('!AIVDM,2,2,4,A,000000000000000,2*20', '!AIVDM,2,1,4,A,55O0W7`00001L@gCWGA2uItLth@DqtL5@F22220j1h742t0Ht0000000,0*08');
    expect(r).toMatchObject({ mmsi: 368060190 });
  });

  it('type 5 with IMO in one long sentence (pyais test_msg_with_more_that_82_chars_payload)', () => {
    // published with checksum 35; the sentence's XOR is 36, so the line is refused and the payload decoded directly
    const line = '!AIVDM,1,1,,B,53ktrJ82>ia4=50<0020<5=@Dhv0t8T@u<0000001PV854Si0;mR@CPH13p0hDm1C3h0000,2*35';
    expect(parseAisSentence(line)).toEqual({ ok: false, reason: 'checksum' });
    const m = decodeAis({ payload: line.split(',')[5]!, fillBits: 2, own: false });
    expect(m.ok && m.message).toMatchObject({ mmsi: 255801960, imo: 9356945, callsign: 'CQPC', name: 'CASTELO OBIDOS', shipType: 0, draught: 4.7, destination: 'VIANA DO CASTELO' });
  });

  it('type 18 class B (pyais test_msg_type_18, 18_speed)', () => {
    const m = decodeLines('!AIVDM,1,1,,A,B5NJ;PP005l4ot5Isbl03wsUkP06,0*76');
    expect(m).toMatchObject({ msgType: 18, mmsi: 367430530, speed: 0, accuracy: false, course: 0 });
    expect((m as { lat: number }).lat).toBeCloseTo(37.79, 2);
    expect((m as { lon: number }).lon).toBeCloseTo(-122.27, 2);
    expect(decodeLines('!AIVDO,1,1,,A,B5NJ;PP2aUl4ot5Isbl6GwsUkP06,0*35')).toMatchObject({ speed: 67.8, course: 10.1 });
  });

  it('type 19 class B extended with name and type (pyais test_msg_type_19)', () => {
    const m = decodeLines('!AIVDM,1,1,,B,C5N3SRgPEnJGEBT>NhWAwwo862PaLELTBJ:V00000000S0D:R220,0*0B');
    expect(m).toMatchObject({ msgType: 19, mmsi: 367059850, speed: 8.7, name: 'CAPT.J.RIMES', shipType: 70, dims: { toBow: 5, toStern: 21, toPort: 4, toStarboard: 4 } });
    expect((m as { lat: number }).lat).toBeCloseTo(29.543695, 5);
    expect((m as { course: number }).course).toBeCloseTo(335.9, 1);
  });

  it('type 21 aids to navigation (pyais test_msg_type_21, issue_46_b)', () => {
    const m = decodeLines('!AIVDM,2,1,7,B,E4eHJhPR37q0000000000000000KUOSc=rq4h00000a,0*4A', '!AIVDM,2,2,7,B,@20,4*54');
    expect(m).toMatchObject({ kind: 'aton', mmsi: 316021442, aidType: 1, name: 'DFO2', accuracy: true, offPosition: true, virtual: false });
    expect((m as { lat: number }).lat).toBeCloseTo(48.65457, 5);
    expect((m as { lon: number }).lon).toBeCloseTo(-123.429155, 5);
    const b = decodeLines('!AIVDM,1,1,,B,E>lt;KLab21@1bb@I@@@@@@@@@@D8k2tnmvs000003v0@,2*52');
    expect(b).toMatchObject({ mmsi: 995036013, aidType: 25, name: 'STDB CUT 2', offPosition: false });
    expect((b as { lat: number }).lat).toBeCloseTo(-32.004333, 5);
  });

  it('type 24 parts A and B (gpsd pair, MMSI 271041815; pyais test_msg_type_24)', () => {
    expect(decodeLines('!AIVDM,1,1,,A,H42O55i18tMET00000000000000,2*6D')).toMatchObject({ kind: 'static', mmsi: 271041815, name: 'PROGUY' });
    expect(decodeLines('!AIVDM,1,1,,A,H42O55lti4hhhilD3nink000?050,0*40')).toMatchObject({
      mmsi: 271041815,
      shipType: 60,
      callsign: 'TC6163',
      dims: { toBow: 0, toStern: 15, toPort: 0, toStarboard: 5 },
    });
    expect(decodeLines('!AIVDM,1,1,,A,H52KMeDU653hhhi0000000000000,0*1A')).toMatchObject({ mmsi: 338091445, shipType: 37 });
  });

  it('type 24 part B of an auxiliary craft (MMSI 98XXXYYYY): the 30 bits are the mothership MMSI, not dimensions', () => {
    // ITU-R M.1371-5 table 76: "MMSI of the mothership" in place of the dimensions for auxiliary craft
    const aux = decodeLines(type24b({ mmsi: 982710418, shipType: 37, callsign: 'TENDER', mothership: 271041815 }));
    expect(aux).toMatchObject({ kind: 'static', mmsi: 982710418, shipType: 37, callsign: 'TENDER', mothership: 271041815 });
    expect(aux && 'dims' in aux ? aux.dims : undefined).toBeUndefined();
    // the same sentence from an ordinary vessel keeps its dimensions
    const own = decodeLines(type24b({ mmsi: 271041815, shipType: 37, callsign: 'TENDER', dims: [5, 7, 2, 3] }));
    expect(own).toMatchObject({ dims: { toBow: 5, toStern: 7, toPort: 2, toStarboard: 3 } });
    expect(own && 'mothership' in own ? own.mothership : undefined).toBeUndefined();
  });

  it('type 27 long-range, positive and negative (pyais test_msg_type_27, 27_signed)', () => {
    const m = decodeLines('!AIVDM,1,1,,B,KC5E2b@U19PFdLbMuc5=ROv62<7m,0*16');
    expect(m).toMatchObject({ msgType: 27, mmsi: 206914217, accuracy: false, navStatus: 2, speed: 57, course: 167 });
    expect((m as { lon: number }).lon).toBeCloseTo(137.023333, 5);
    expect((m as { lat: number }).lat).toBeCloseTo(4.84, 5);
    const s = decodeLines('!AIVDO,1,1,,A,K01;FQh?PbtE3P00,0*75');
    expect(s).toMatchObject({ mmsi: 1234567 });
    expect((s as { lon: number }).lon).toBeCloseTo(-13.368333, 5);
    expect((s as { lat: number }).lat).toBeCloseTo(-50.121667, 5);
  });

  it('types without picture content decode to nothing, not an error (type 4 base station)', () => {
    expect(decodeLines('!AIVDM,1,1,,A,403OviQuMGCqWrRO9>E6fE700@GO,0*4D')).toBeUndefined();
  });
});

describe('NMEA framing', () => {
  it('checks the checksum, the fields and the armour', () => {
    expect(parseAisSentence('!AIVDM,1,1,,B,15M67FC000G?ufbE`FepT@3n00Sa,0*5D')).toEqual({ ok: false, reason: 'checksum' });
    expect(parseAisSentence('!AIVDM,1,1,,B,15M67FC000G?ufbE`FepT@3n00Sa,0')).toEqual({ ok: false, reason: 'format' });
    expect(parseAisSentence('garbage \u0000\u00ff')).toEqual({ ok: false, reason: 'format' });
    expect(parseAisSentence('$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47')).toEqual({ ok: false, reason: 'not-ais' });
    const bad = '!AIVDM,1,1,,B,15M6xFC0,0';
    expect(parseAisSentence(`${bad}*${nmeaChecksum(bad.slice(1))}`)).toEqual({ ok: false, reason: 'format' });
    const three = '!AIVDM,1,2,,B,15M6,0';
    expect(parseAisSentence(`${three}*${nmeaChecksum(three.slice(1))}`)).toEqual({ ok: false, reason: 'format' });
  });

  it('accepts a tag block before and receiver data after the sentence (libais sample)', () => {
    const r = parseAisSentence('\\s:rORBCOMM000,c:1426118101*0C\\!AIVDM,1,1,,B,15M67FC000G?ufbE`FepT@3n00Sa,0*5C');
    expect(r.ok).toBe(true);
    const t = parseAisSentence('!AIVDM,1,1,1,A,A;wUJKU>io;WlWuwH`W1PpnuN<isf;5iHtOM1S6q?vsvNrNGOqLcr5mfD6t,2*51,d-127,S1378,t024436.00');
    expect(t.ok).toBe(true);
  });

  it('a truncated position report is malformed, not decoded from zeros', () => {
    const body = 'AIVDM,1,1,,B,15M67FC000G?ufbE,0';
    const s = parseAisSentence(`!${body}*${nmeaChecksum(body)}`);
    expect(s.ok).toBe(true);
    if (s.ok) expect(decodeAis({ payload: s.sentence.payload, fillBits: 0, own: false })).toEqual({ ok: false, reason: 'short' });
  });

  it('drops a first part older than 5 s instead of completing it with a later second part', () => {
    let now = 1_000_000;
    const asm = new MultipartAssembler(64, 5_000, () => now);
    const [p1, p2] = ['!AIVDM,2,1,1,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0*1C', '!AIVDM,2,2,1,A,88888888880,2*25'].map((l) => {
      const r = parseAisSentence(l);
      if (!r.ok) throw new Error(l);
      return r.sentence;
    });
    expect(asm.push(p1!)).toBeUndefined();
    now += 6_000;
    expect(asm.push(p2!)).toBeUndefined();
    expect(asm.dropped).toBe(1);
    // a fresh pair still joins (once the lone second part has aged out too)
    now += 6_000;
    expect(asm.push(p1!)).toBeUndefined();
    now += 1_000;
    expect(asm.push(p2!)).toMatchObject({ fillBits: 2 });
  });

  it("keys parts by sender: one source's first part is not completed by another's second part", () => {
    const asm = new MultipartAssembler();
    const part = (index: number, payload: string) => ({ own: false, count: 2, index, seqId: '3', channel: 'A', payload, fillBits: 0 });
    expect(asm.push(part(1, '55?MbV02'), '10.0.0.1:4000')).toBeUndefined();
    expect(asm.push(part(2, '88888888'), '10.0.0.2:4000')).toBeUndefined();
    expect(asm.push(part(2, '00000000'), '10.0.0.1:4000')).toEqual({ payload: '55?MbV0200000000', fillBits: 0, own: false });
  });

  it("one host's stream of first parts (from any number of ports) does not evict another host's waiting part", () => {
    const asm = new MultipartAssembler();
    const part = (index: number, seqId: string, payload: string) => ({ own: false, count: 2, index, seqId, channel: 'A', payload, fillBits: 0 });
    expect(asm.push(part(1, '1', '55?MbV02'), '10.0.0.1:5000')).toBeUndefined();
    for (let i = 0; i < 1000; i++) asm.push(part(1, String(i % 10), '00000000'), `10.0.0.9:${40000 + i}`);
    expect(asm.pendingCount).toBeLessThanOrEqual(64);
    expect(asm.push(part(2, '1', '88888888'), '10.0.0.1:5000')).toEqual({ payload: '55?MbV0288888888', fillBits: 0, own: false });
  });

  it('keeps at most maxPending incomplete messages however many first parts arrive', () => {
    const asm = new MultipartAssembler(8);
    for (let i = 0; i < 10_000; i++) {
      asm.push({ own: false, count: 2, index: 1, seqId: String(i % 10), channel: i % 2 ? 'A' : 'B', payload: '55?MbV02', fillBits: 0 });
    }
    expect(asm.pendingCount).toBeLessThanOrEqual(8);
    expect(asm.dropped).toBeGreaterThan(9_000);
  });
});

describe('six-bit reader', () => {
  /** the reference: one bit at a time, bits past the end (fill bits included) read 0 */
  function refUint(payload: string, fillBits: number, start: number, len: number): number {
    const length = payload.length * 6 - fillBits;
    let out = 0;
    for (let b = start; b < start + len; b++) {
      let c = payload.charCodeAt((b / 6) | 0) - 48;
      if (c > 40) c -= 8;
      out = out * 2 + (b < length ? (c >> (5 - (b % 6))) & 1 : 0);
    }
    return out;
  }

  it('reads every field position and width as the bit-by-bit reading does, fill bits and the end as zeros', () => {
    const armour = (v: number) => String.fromCharCode(v < 40 ? v + 48 : v + 56);
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) % n;
    for (let round = 0; round < 200; round++) {
      const payload = Array.from({ length: 1 + rnd(30) }, () => armour(rnd(64))).join('');
      const fill = rnd(6);
      const b = new Bits(payload, fill);
      for (let start = 0; start < payload.length * 6 + 8; start += 1 + rnd(5)) {
        const len = 1 + rnd(30);
        expect(b.uint(start, len)).toBe(refUint(payload, fill, start, len));
      }
    }
  });
});
