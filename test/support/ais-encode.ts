/**
 * A small AIS sentence writer for tests and benchmarks (types 1 and 5), written from the field table in
 * the gpsd AIVDM description, independently of src/feeds' reader. Published sentences test the reader;
 * these make many distinct vessels and the position + static pairs a merge test needs.
 */
class BitWriter {
  private bits: number[] = [];
  uint(v: number, len: number): this {
    for (let i = len - 1; i >= 0; i--) this.bits.push(Math.floor(v / 2 ** i) % 2);
    return this;
  }
  int(v: number, len: number): this {
    return this.uint(v < 0 ? 2 ** len + v : v, len);
  }
  text(s: string, chars: number): this {
    const padded = s.toUpperCase().padEnd(chars, '@').slice(0, chars);
    for (const ch of padded) {
      const c = ch.charCodeAt(0);
      this.uint(c >= 64 ? c - 64 : c, 6);
    }
    return this;
  }
  armour(): { payload: string; fill: number } {
    const fill = (6 - (this.bits.length % 6)) % 6;
    const bits = [...this.bits, ...new Array<number>(fill).fill(0)];
    let payload = '';
    for (let i = 0; i < bits.length; i += 6) {
      let v = 0;
      for (let j = 0; j < 6; j++) v = v * 2 + bits[i + j]!;
      payload += String.fromCharCode(v < 40 ? v + 48 : v + 56);
    }
    return { payload, fill };
  }
}

export function sentence(payload: string, fill: number, o: { count?: number; index?: number; seq?: string; channel?: string } = {}): string {
  const body = `AIVDM,${o.count ?? 1},${o.index ?? 1},${o.seq ?? ''},${o.channel ?? 'A'},${payload},${fill}`;
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum ^= body.charCodeAt(i);
  return `!${body}*${sum.toString(16).toUpperCase().padStart(2, '0')}`;
}

export interface Position {
  mmsi: number;
  lat: number;
  lon: number;
  /** knots */
  sog?: number;
  cog?: number;
  heading?: number;
}

export function type1(p: Position): string {
  const w = new BitWriter()
    .uint(1, 6)
    .uint(0, 2)
    .uint(p.mmsi, 30)
    .uint(0, 4)
    .int(-128, 8)
    .uint(p.sog === undefined ? 1023 : Math.round(p.sog * 10), 10)
    .uint(1, 1)
    .int(Math.round(p.lon * 600000), 28)
    .int(Math.round(p.lat * 600000), 27)
    .uint(p.cog === undefined ? 3600 : Math.round(p.cog * 10), 12)
    .uint(p.heading ?? 511, 9)
    .uint(30, 6)
    .uint(0, 2)
    .uint(0, 3)
    .uint(0, 1)
    .uint(0, 19);
  const { payload, fill } = w.armour();
  return sentence(payload, fill);
}

export interface Static {
  mmsi: number;
  imo?: number;
  callsign?: string;
  name: string;
  shipType: number;
  destination?: string;
}

/** Type 5 as two sentences (424 bits do not fit one). */
export function type5(s: Static, seq = '1'): [string, string] {
  const w = new BitWriter()
    .uint(5, 6)
    .uint(0, 2)
    .uint(s.mmsi, 30)
    .uint(0, 2)
    .uint(s.imo ?? 0, 30)
    .text(s.callsign ?? '', 7)
    .text(s.name, 20)
    .uint(s.shipType, 8)
    .uint(100, 9)
    .uint(20, 9)
    .uint(10, 6)
    .uint(10, 6)
    .uint(1, 4)
    .uint(12, 4)
    .uint(24, 5)
    .uint(10, 5)
    .uint(30, 6)
    .uint(85, 8)
    .text(s.destination ?? '', 20)
    .uint(0, 1)
    .uint(0, 1);
  const { payload, fill } = w.armour();
  const cut = 60;
  return [sentence(payload.slice(0, cut), 0, { count: 2, index: 1, seq }), sentence(payload.slice(cut), fill, { count: 2, index: 2, seq })];
}

/**
 * Type 24 part B (class B static: ship type, call sign, then 30 bits that are the dimensions — or, for an
 * auxiliary craft (MMSI 98XXXYYYY), the MMSI of its mothership).
 */
export function type24b(o: { mmsi: number; shipType: number; callsign: string; dims?: [number, number, number, number]; mothership?: number }): string {
  const w = new BitWriter().uint(24, 6).uint(0, 2).uint(o.mmsi, 30).uint(1, 2).uint(o.shipType, 8).text('', 3).uint(0, 4).uint(0, 20).text(o.callsign, 7);
  if (o.mothership !== undefined) w.uint(o.mothership, 30);
  else {
    const [bow, stern, port, starboard] = o.dims ?? [0, 0, 0, 0];
    w.uint(bow, 9).uint(stern, 9).uint(port, 6).uint(starboard, 6);
  }
  w.uint(0, 6);
  const { payload, fill } = w.armour();
  return sentence(payload, fill);
}
