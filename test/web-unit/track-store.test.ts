import { describe, expect, it } from 'vitest';
import type { TrackView } from '../../src/api/contract.js';
import { mercatorX, mercatorY } from '../../web/src/screen-transform.js';
import { TrackStore, type TrackEntry } from '../../web/src/track-store.js';

const shown = (s: TrackStore) => {
  const out: TrackEntry[] = [];
  s.collectShown(out);
  return out.map((e) => e.track.uid);
};

const label = { policy: 'USA', classification: 'UNCLASSIFIED', rank: 0, marking: 'UNCLASSIFIED', markingJa: '', portion: '(U)', color: '#007a33' };
function track(uid: string, over: Partial<TrackView> = {}): TrackView {
  return {
    uid, type: 'a-f-G-U-C', callsign: uid, lat: 35, lon: 139, hae: 0,
    time: '2025-01-01T00:00:00Z', stale: '2025-01-01T00:05:00Z', how: 'm-g', origin: 'USA', label, ...over,
  };
}

describe('TrackStore', () => {
  it('keeps the last N distinct positions as the trail', () => {
    const s = new TrackStore(3);
    for (let i = 0; i < 5; i++) s.upsert(track('a', { lat: 35 + i }));
    s.upsert(track('a', { lat: 39 })); // same position again: not a new trail point
    expect(s.get('a')?.trail).toEqual([[139, 37], [139, 38], [139, 39]]);
    // the Mercator copy follows the same points, current position last
    expect(s.get('a')?.trailXY).toEqual([37, 38, 39].flatMap((lat) => [mercatorX(139), mercatorY(lat)]));
    expect(shown(s)).toEqual(['a']);
  });

  it('derives the symbol and classes from the CoT type', () => {
    const s = new TrackStore();
    s.upsert(track('h', { type: 'a-h-S' }));
    expect(s.get('h')).toMatchObject({ sidc: 'SHSP------*****', affiliation: 'H', dimension: 'S' });
    s.upsert(track('h', { type: 'a-f-A' }));
    expect(s.get('h')).toMatchObject({ sidc: 'SFAP------*****', affiliation: 'F', dimension: 'A' });
  });

  it('filters by affiliation, origin and dimension', () => {
    const s = new TrackStore();
    s.replaceAll([
      track('1', { type: 'a-f-G', origin: 'USA' }),
      track('2', { type: 'a-h-S', origin: 'JPN' }),
      track('3', { type: 'a-f-A', origin: 'JPN' }),
    ]);
    expect(s.origins()).toEqual(['JPN', 'USA']);
    s.filter.origins.add('JPN');
    expect(shown(s)).toEqual(['2', '3']);
    s.filter.affiliations.add('F');
    expect(shown(s)).toEqual(['3']);
    s.filter.dimensions.add('G');
    expect(shown(s)).toEqual([]);
    expect(s.size).toBe(3);
  });

  it('rejects unusable positions instead of drawing them at 0,0', () => {
    const s = new TrackStore();
    expect(s.upsert(track('x', { lat: Number.NaN }))).toBe(false);
    expect(s.upsert(track('y', { lon: 200 }))).toBe(false);
    expect(s.size).toBe(0);
    expect(s.rejected).toBe(2);
  });

  it('marks itself dirty on changes and removes tracks', () => {
    const s = new TrackStore();
    s.upsert(track('a'));
    expect(s.dirty).toBe(true);
    s.dirty = false;
    expect(s.remove('nope')).toBe(false);
    expect(s.dirty).toBe(false);
    expect(s.remove('a')).toBe(true);
    expect(s.dirty).toBe(true);
    expect(s.size).toBe(0);
  });
});
