/**
 * COP map update cost for 2,000 tracks updating at 1 Hz, against a baseline measured in the same run:
 * - upsert: TrackStore.upsert (trail + cached SIDC) vs a bare Map.set of the same TrackView objects;
 * - frame: TrackStore.toGeoJson (what one animation frame hands MapLibre) vs JSON.stringify of the
 *   same tracks (the cost of merely touching every track once).
 * Run: npx tsx bench/web-track-store.ts   (numbers vary with machine load; compare ratios)
 */
import type { TrackView } from '../src/api/contract.js';
import { TrackStore } from '../web/src/track-store.js';

const N = 2000;
const label = { policy: 'USA', classification: 'UNCLASSIFIED', rank: 0, marking: 'UNCLASSIFIED', markingJa: '', portion: '(U)', color: '#007a33' };
const types = ['a-f-G-U-C', 'a-f-S-C-L-C-C', 'a-h-S', 'a-f-A-M-F', 'a-n-S', 'a-u-S', 'a-h-A-M-F', 'a-f-U'];

function tracks(step: number): TrackView[] {
  const out: TrackView[] = [];
  for (let i = 0; i < N; i++) {
    out.push({
      uid: `T-${i}`, type: types[i % types.length] ?? 'a-u-G', callsign: `TRK${i}`,
      lat: 24 + (i % 200) * 0.1 + step * 0.001, lon: 122 + Math.floor(i / 200) * 2 + step * 0.001, hae: 0,
      time: '2025-01-01T00:00:00Z', stale: '2025-01-01T00:05:00Z', how: 'm-g', origin: i % 3 ? 'USA' : 'JPN', label,
    });
  }
  return out;
}

function perSecond(fn: (i: number) => void, ms = 700): number {
  for (let i = 0; i < 3; i++) fn(i);
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) fn(n++);
  return (n * 1000) / (performance.now() - t0);
}

const batches = Array.from({ length: 20 }, (_, i) => tracks(i));
const store = new TrackStore();
const plain = new Map<string, TrackView>();
const upsert = perSecond((i) => { for (const t of batches[i % 20] ?? []) store.upsert(t); });
const mapSet = perSecond((i) => { for (const t of batches[i % 20] ?? []) plain.set(t.uid, t); });
const frame = perSecond(() => store.toGeoJson());
const stringify = perSecond(() => JSON.stringify([...plain.values()]));

const row = (name: string, ours: number, base: number, baseName: string) => ({
  measure: name, 'ours (batches/s)': ours.toFixed(1), baseline: baseName, 'baseline (batches/s)': base.toFixed(1), 'ours / baseline': (ours / base).toFixed(2),
});
console.log(`${N} tracks per batch (one 1 Hz update of every track)`);
console.table([
  row('upsert all', upsert, mapSet, 'Map.set'),
  row('toGeoJson (one frame)', frame, stringify, 'JSON.stringify'),
]);
console.log(`main-thread ms per 1 Hz cycle (upsert + one frame): ${(1000 / upsert + 1000 / frame).toFixed(2)}`);
