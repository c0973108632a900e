import { zipSync, strToU8 } from 'fflate';
import { describe, expect, it } from 'vitest';
import type { ChatMessageView, LabelView, PostureView, RequestView, TrackView, UserView } from '../../src/api/contract.js';
import { AlertRules } from '../../web/src/alerts/alert-rules.js';
import { distance, ring, shapeFeatures } from '../../web/src/draw/geo.js';
import { copEn, copJa } from '../../web/src/draw/strings.js';
import { areaOf } from '../../web/src/draw/request-area.js';
import { exportFeatures, toGeoJson, toKml } from '../../web/src/overlays/export.js';
import { MAX_FEATURES, MAX_KML_BYTES, MAX_VERTICES, OverlayError, parseGeoJson, unzipKml } from '../../web/src/overlays/parse.js';

const label: LabelView = { policy: 'JPN', classification: 'UNCLASSIFIED', marking: 'UNCLASSIFIED//REL TO JPN, USA', markingJa: '取扱注意なし', portion: '(U//REL TO JPN, USA)', rank: 0, color: '#007a33' } as LabelView;
const track = (over: Partial<TrackView> = {}): TrackView => ({ uid: 'u1', type: 'a-f-G', callsign: 'ONE', lat: 26, lon: 127, hae: 0, time: '2026-03-04T00:00:00Z', stale: '2999-01-01T00:00:00Z', how: 'm-g', origin: 'JPN', label, ...over });
const errKey = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e instanceof OverlayError ? { key: e.key, params: e.params } : { key: String(e), params: {} };
  }
  return undefined;
};

describe('overlay files', () => {
  it('GeoJSON: points, lines, polygons (ring reopened), multi-parts, names and colours', () => {
    const fc = {
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', properties: { name: 'LZ', 'marker-color': '#ff0000' }, geometry: { type: 'Point', coordinates: [127.67, 26.21] } },
        { type: 'Feature', properties: { title: 'Route' }, geometry: { type: 'LineString', coordinates: [[127, 26], [128, 27]] } },
        { type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [[[127, 26], [128, 26], [128, 27], [127, 26]]] } },
        { type: 'Feature', properties: { name: 'two' }, geometry: { type: 'MultiPoint', coordinates: [[1, 2], [3, 4]] } },
      ],
    };
    const s = parseGeoJson('a.geojson', JSON.stringify(fc));
    expect(s.map((x) => x.kind)).toEqual(['marker', 'line', 'polygon', 'marker', 'marker']);
    expect(s[0]).toMatchObject({ name: 'LZ', color: '#ff0000', points: [[26.21, 127.67]] });
    expect(s[1]!.name).toBe('Route');
    expect(s[2]).toMatchObject({ name: 'a.geojson #3', points: [[26, 127], [26, 128], [27, 128]] });
  });
  it('bad files name the file and the cause', () => {
    expect(errKey(() => parseGeoJson('x.json', '{nope'))).toMatchObject({ key: 'overlay.err.json', params: { file: 'x.json' } });
    expect(errKey(() => parseGeoJson('x.json', '{"a":1}'))).toMatchObject({ key: 'overlay.err.geojson' });
    expect(errKey(() => parseGeoJson('x.json', '{"type":"FeatureCollection","features":[]}'))).toMatchObject({ key: 'overlay.err.empty' });
    // out-of-range coordinates are not shareable
    expect(errKey(() => parseGeoJson('x.json', '{"type":"Point","coordinates":[500,95]}'))).toMatchObject({ key: 'overlay.err.empty' });
  });
  it('bounded: feature count and vertices per feature', () => {
    const many = { type: 'FeatureCollection', features: Array.from({ length: MAX_FEATURES + 1 }, () => ({ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [1, 1] } })) };
    expect(errKey(() => parseGeoJson('big.json', JSON.stringify(many)))).toEqual({ key: 'overlay.err.tooMany', params: { file: 'big.json', n: MAX_FEATURES + 1, max: MAX_FEATURES } });
    const long = { type: 'LineString', coordinates: Array.from({ length: MAX_VERTICES + 1 }, (_, i) => [i / 1e4, 0]) };
    expect(errKey(() => parseGeoJson('long.json', JSON.stringify(long)))).toMatchObject({ key: 'overlay.err.vertices', params: { n: MAX_VERTICES + 1 } });
  });
  it('KMZ: not a zip, no KML inside, and a KML whose declared size is over the bound is never inflated', () => {
    expect(errKey(() => unzipKml('a.kmz', strToU8('not a zip')))).toMatchObject({ key: 'overlay.err.kmz', params: { file: 'a.kmz' } });
    expect(errKey(() => unzipKml('b.kmz', zipSync({ 'icon.png': strToU8('x') })))).toEqual({ key: 'overlay.err.kmzNoKml', params: { file: 'b.kmz' } });
    // a bomb: 30 MB of one byte compresses to a few kB
    const bomb = zipSync({ 'doc.kml': new Uint8Array(MAX_KML_BYTES + 10 * 1024 * 1024) }, { level: 9 });
    expect(bomb.length).toBeLessThan(200_000);
    expect(errKey(() => unzipKml('bomb.kmz', bomb))).toMatchObject({ key: 'overlay.err.tooLarge', params: { file: 'bomb.kmz' } });
  });
});

describe('export', () => {
  it('GeoJSON and KML carry the banner label in their metadata and each object its portion; text is escaped', () => {
    const shape = track({ uid: 's1', type: 'u-d-f', callsign: 'Area <A> & B', shape: { kind: 'polygon', points: [[26, 127], [26, 128], [27, 128], [26, 127]], stroke: '#ff0000' } });
    const f = exportFeatures([track()], [shape]);
    expect(f).toHaveLength(2);
    const meta = { banner: { ...label, marking: 'HI//REL TO JPN, USA' }, node: 'JPN', user: 'jpn-op', at: '2026-03-04T00:00:00Z' };
    const gj = JSON.parse(toGeoJson(f, meta)) as { metadata: { classification: string }; features: { properties: { portion: string } }[] };
    expect(gj.metadata.classification).toBe('HI//REL TO JPN, USA');
    expect(gj.features[0]!.properties.portion).toBe('(U//REL TO JPN, USA)');
    const kml = toKml(f, meta);
    expect(kml).toContain('<Data name="classification"><value>HI//REL TO JPN, USA</value></Data>');
    expect(kml).toContain('Area &lt;A&gt; &amp; B');
    expect(kml).not.toContain('<A>');
    expect(kml).toContain('<color>ff0000ff</color>');
  });
});

describe('shape geometry for the map', () => {
  it('circles are closed rings at the radius; polygons close; request areas are closed [lon, lat] rings', () => {
    const r = ring(26, 127, 1000);
    expect(r[0]).toEqual(r[r.length - 1]);
    for (const p of r) expect(Math.abs(distance([26, 127], [p[1], p[0]]) - 1000)).toBeLessThan(1);
    const rings = shapeFeatures(track({ shape: { kind: 'rings', points: [[26, 127]], radii: [100, 200, 300] } }));
    expect(rings).toHaveLength(3);
    const poly = track({ shape: { kind: 'rectangle', points: [[26, 127], [26, 128], [27, 128], [27, 127]] } });
    expect(shapeFeatures(poly)[0]!.geometry).toEqual({ type: 'Polygon', coordinates: [[[127, 26], [128, 26], [128, 27], [127, 27], [127, 26]]] });
    expect(areaOf(poly)).toEqual({ type: 'Polygon', coordinates: [[[127, 26], [128, 26], [128, 27], [127, 27], [127, 26]]] });
    expect(areaOf(track({ shape: { kind: 'line', points: [[1, 2], [3, 4]] } }))).toBeUndefined();
  });
});

describe('alert rules', () => {
  const me: UserView = { username: 'jpn-coord', nation: 'JPN', role: 'coordinator', displayName: 'JPN coordinator' } as UserView;
  const req = (over: Partial<RequestView> = {}): RequestView => ({ id: 'USA-1', kind: 'hadr', title: 'Airlift', description: '', requester: 'usa-coord', originNation: 'USA', nations: ['USA', 'JPN'], status: 'submitted', priority: 'routine', concurrence: [], comments: [], label, version: 2, updatedAt: '2026-01-01T00:00:00Z', ...over });

  it('a request from another nation for us notifies once; our own or a draft does not', () => {
    const r = new AlertRules(() => me);
    expect(r.request(req())).toMatchObject({ kind: 'request', text: { params: { nation: 'USA', title: 'Airlift' } } });
    expect(r.request(req({ version: 3 }))).toBeUndefined();
    expect(r.request(req({ id: 'JPN-1', originNation: 'JPN' }))).toBeUndefined();
    expect(r.request(req({ id: 'USA-2', status: 'draft' }))).toBeUndefined();
    expect(r.request(req({ id: 'USA-3', nations: ['USA', 'PHL'] }))).toBeUndefined();
  });
  it('deadlines passing after the page load, once', () => {
    let now = 1000;
    const r = new AlertRules(() => me, () => now);
    const list = [req({ deadline: new Date(500).toISOString() }), req({ id: 'USA-2', deadline: new Date(1500).toISOString() })];
    expect(r.deadlines(list, 600)).toHaveLength(0);
    now = 2000;
    expect(r.deadlines(list, 600).map((n) => n.key)).toEqual(['deadline:USA-2']);
    expect(r.deadlines(list, 600)).toHaveLength(0);
  });
  it('phase proposals by others, chat mentions by others', () => {
    const r = new AlertRules(() => me);
    const p: PostureView = { phases: {}, alliance: 'normal', pending: { id: 'p1', nation: 'USA', proposed: 'elevated', by: 'usa-coord', at: 'x', awaiting: ['JPN'] } } as unknown as PostureView;
    expect(r.posture(p)?.kind).toBe('posture');
    expect(r.posture({ ...p, pending: { ...p.pending!, id: 'p2', by: 'jpn-coord' } })).toBeUndefined();
    const m = (text: string, from = 'usa-coord'): ChatMessageView => ({ id: text, room: 'all', from, nation: 'USA', text, at: 'x', label });
    expect(r.chat(m('ping @JPN-COORD please'))?.kind).toBe('mention');
    expect(r.chat(m('no mention here'))).toBeUndefined();
    expect(r.chat(m('@jpn-coord self', 'jpn-coord'))).toBeUndefined();
  });
  it('TAK emergencies notify; the cancel (same uid or the same unit) clears them; stale ones are old news', () => {
    const r = new AlertRules(() => me);
    const sos = track({ uid: 'ICAO-1-9-1-1', type: 'b-a-o-tbl', alert: { kind: 'emergency', label: '911 Alert', text: 'JAL1 squawk 7700', about: 'ICAO-1', cancel: false } });
    expect(r.track(sos)).toMatchObject({ kind: 'emergency', uid: 'ICAO-1-9-1-1', text: { params: { label: '911 Alert', text: 'JAL1 squawk 7700' } } });
    expect(r.track(sos)).toBeUndefined();
    const cancel = track({ uid: 'other', type: 'b-a-o-can', alert: { kind: 'custom', about: 'ICAO-1', cancel: true } });
    expect(r.track(cancel)).toMatchObject({ kind: 'cancel', cancels: 'ICAO-1-9-1-1' });
    expect(r.track(cancel)).toBeUndefined();
    expect(r.track({ ...sos, uid: 'old', stale: '2000-01-01T00:00:00Z' })).toBeUndefined();
  });
});

describe('strings', () => {
  it('every drawing/overlay/alert string exists and is non-empty in both languages, with the same placeholders', () => {
    for (const k of Object.keys(copEn) as (keyof typeof copEn)[]) {
      expect(copJa[k], k).toBeTruthy();
      const ph = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect(ph(copJa[k]), k).toEqual(ph(copEn[k]));
    }
  });
});
