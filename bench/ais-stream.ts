/**
 * A receiver network's AIS stream, generated: `vessels` class A vessels each reporting its position every
 * 2–10 s (spread over the fleet), every report heard by 2 or 3 receivers (the same sentence again 3 and 7 ms
 * later, as an aggregated network delivers it), and a two-part type 5 (static data) every 6 minutes per
 * vessel, phases spread so the fleet's static reports are even over time. Lines in stream order with their
 * stream time (ms from the start): replayed on that clock, conflation and history sampling see the stream's
 * time, not how fast a loaded machine reads it.
 */
import { type1, type5 } from '../test/support/ais-encode.js';

export interface AisStream {
  lines: string[];
  /** stream time of each line, ms from the start */
  at: number[];
  /** distinct reports (positions + static) before the receivers' repeats */
  reports: number;
}

const REPEAT_MS = [0, 3, 7];
const STATIC_EVERY_MS = 360_000;

export function receiverStream(vessels: number, seconds: number, mmsiBase: number): AisStream {
  const items: { t: number; lines: string[] }[] = [];
  const end = seconds * 1000;
  let reports = 0;
  for (let i = 0; i < vessels; i++) {
    const mmsi = mmsiBase + i;
    const period = 2000 + ((i * 7919) % 8001);
    const copies = 2 + (i % 2);
    const lat0 = 20 + (i % 1000) / 50;
    const lon0 = 120 + Math.floor(i / 1000) / 5;
    for (let k = 0, t = (i * 104_729) % period; t < end; k++, t += period) {
      const line = type1({ mmsi, lat: lat0 + k / 10_000, lon: lon0, sog: 12, cog: 45, heading: 45 });
      reports++;
      for (let c = 0; c < copies; c++) items.push({ t: t + REPEAT_MS[c]!, lines: [line] });
    }
    for (let t = (i * 7907) % STATIC_EVERY_MS; t < end; t += STATIC_EVERY_MS) {
      reports++;
      const parts = type5({ mmsi, imo: 9_100_000 + i, callsign: `JS${i % 10_000}`, name: `FLEET ${i}`, shipType: 70 + (i % 10), destination: 'YOKOHAMA' }, String(i % 10));
      for (let c = 0; c < copies; c++) items.push({ t: t + REPEAT_MS[c]!, lines: parts });
    }
  }
  items.sort((a, b) => a.t - b.t);
  const lines: string[] = [];
  const at: number[] = [];
  for (const it of items) {
    for (const l of it.lines) {
      lines.push(l);
      at.push(it.t);
    }
  }
  return { lines, at, reports };
}
