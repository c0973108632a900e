/**
 * COP map update cost for 2,000 tracks updating at 1 Hz, against a baseline measured in the same run:
 * - upsert: TrackStore.upsert (trail + cached SIDC) vs a bare Map.set of the same TrackView objects;
 * - frame: the JavaScript part of one overlay redraw without the canvas calls — TrackStore.collectShown
 *   (filters) plus projecting every trail vertex and position from the cached Web Mercator coordinates
 *   with the camera's affine transform (web/src/track-overlay.ts) — vs JSON.stringify of the same
 *   tracks (the cost of merely touching every track once).
 * Run: npx tsx bench/web-track-store.ts   (numbers vary with machine load; compare ratios)
 */
import type { TrackView } from '../src/api/contract.js';
import { TrackStore, type TrackEntry } from '../web/src/track-store.js';

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
const shown: TrackEntry[] = [];
const A = { a: 6208, b: 0, c: 0, d: 6208, e: -4000, f: -1500 };
let sink = 0;
const frame = perSecond(() => {
  store.collectShown(shown);
  for (const e of shown) {
    const t = e.trailXY;
    for (let i = 0; i < t.length; i += 2) sink += A.a * t[i]! + A.c * t[i + 1]! + A.e + A.b * t[i]! + A.d * t[i + 1]! + A.f;
  }
});
if (!Number.isFinite(sink)) throw new Error('unreachable: keeps the projection from being optimised away');
const stringify = perSecond(() => JSON.stringify([...plain.values()]));

const row = (name: string, ours: number, base: number, baseName: string) => ({
  measure: name, 'ours (batches/s)': ours.toFixed(1), baseline: baseName, 'baseline (batches/s)': base.toFixed(1), 'ours / baseline': (ours / base).toFixed(2),
});
console.log(`${N} tracks per batch (one 1 Hz update of every track)`);
console.table([
  row('upsert all', upsert, mapSet, 'Map.set'),
  row('collect + project (one redraw, no canvas)', frame, stringify, 'JSON.stringify'),
]);
console.log(`main-thread ms per 1 Hz cycle (upsert + one frame): ${(1000 / upsert + 1000 / frame).toFixed(2)}`);
