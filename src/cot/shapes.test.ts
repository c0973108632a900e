import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildDeleteEvent, buildShapeEvent, fromArgb, argbInt, MAX_SHAPE_POINTS, shapeGeometry, type ShapeSpec } from './shapes.js';
import { parseCotXml, serializeCotXml } from './xml.js';

const fixture = (name: string) => parseCotXml(readFileSync(new URL(`../../test/fixtures/cot/${name}`, import.meta.url)));
const geoOf = (xml: string) => {
  const ev = parseCotXml(xml);
  return shapeGeometry(ev.type, ev.point, ev.detailXml);
};

describe('shape CoT read from ATAK/WinTAK captures', () => {
  it('freeform closed polygon (u-d-f with the first vertex repeated) with its colours', () => {
    const ev = fixture('kizuna-drawing-freeform-link-points.xml');
    const g = shapeGeometry(ev.type, ev.point, ev.detailXml)!;
    expect(g.kind).toBe('polygon');
    expect(g.points).toHaveLength(6);
    expect(g.points[1]).toEqual([26.2166, 127.6874]);
    expect(g.stroke).toBe('#ffffff');
    expect(g.fill).toBe('#ffffff');
    expect(g.fillOpacity).toBeCloseTo(0x96 / 255, 2);
  });
  it('rectangle, circle, ellipse, route', () => {
    const r = fixture('kizuna-drawing-rectangle-tog.xml');
    expect(shapeGeometry(r.type, r.point, r.detailXml)).toMatchObject({ kind: 'polygon', stroke: '#ff0000' });
    const c = fixture('kizuna-drawing-circle-kml-style.xml');
    expect(shapeGeometry(c.type, c.point, c.detailXml)).toMatchObject({ kind: 'circle', radii: [410.5], points: [[26.2124, 127.6809]], stroke: '#00ffff' });
    const e = fixture('takaware-wintak-ellipse-persistorRestore-pi.xml');
    expect(shapeGeometry(e.type, e.point, e.detailXml)).toMatchObject({ kind: 'ellipse', radii: [301.758319606262], minor: 116.381521186434, angle: 180 });
    const rt = fixture('kizuna-route-waypoints.xml');
    const g = shapeGeometry(rt.type, rt.point, rt.detailXml)!;
    expect(g.kind).toBe('route');
    expect(g.points).toHaveLength(6);
    expect(g.points[5]).toEqual([26.2, 127.685]);
  });
  it('not a drawing: PLI and spot markers give no geometry', () => {
    const p = fixture('fts-2020-pli-atak-3.12.xml');
    expect(shapeGeometry(p.type, p.point, p.detailXml)).toBeUndefined();
  });
});

describe('shape CoT built by Kizuna round-trips', () => {
  const base = { name: 'Area <K> & "L"', color: '#ff8000' };
  const cases: [ShapeSpec, string][] = [
    [{ ...base, kind: 'polygon', points: [[26, 127], [26.1, 127], [26.1, 127.1]] }, 'u-d-f'],
    [{ ...base, kind: 'line', points: [[26, 127], [26.1, 127.2]] }, 'u-d-f'],
    [{ ...base, kind: 'rectangle', points: [[26, 127], [26, 127.1], [26.1, 127.1], [26.1, 127]] }, 'u-d-r'],
    [{ ...base, kind: 'circle', points: [[26, 127]], radius: 500 }, 'u-d-c-c'],
    [{ ...base, kind: 'rings', points: [[26, 127]], radius: 1000, rings: 3 }, 'u-r-b-c-c'],
    [{ ...base, kind: 'route', points: [[26, 127], [26.1, 127.1], [26.2, 127.3]] }, 'b-m-r'],
    [{ ...base, kind: 'marker', points: [[26, 127]] }, 'b-m-p-s-m'],
  ];
  for (const [spec, type] of cases) {
    it(`${spec.kind} → ${type} → back`, () => {
      const xml = serializeCotXml(buildShapeEvent('kz-shape-1', spec, Date.parse('2026-03-04T00:00:00Z')));
      const ev = parseCotXml(xml);
      expect(ev.type).toBe(type);
      expect(ev.callsign).toBe(spec.name);
      if (spec.kind === 'marker') {
        expect([ev.point.lat, ev.point.lon]).toEqual(spec.points[0]);
        return;
      }
      const g = geoOf(xml)!;
      expect(g.kind).toBe(spec.kind === 'rectangle' ? 'polygon' : spec.kind);
      expect(g.stroke).toBe('#ff8000');
      if (spec.kind === 'circle') expect(g.radii).toEqual([500]);
      else if (spec.kind === 'rings') expect(g.radii).toEqual([1000, 2000, 3000]);
      else expect(g.points.slice(0, spec.points.length)).toEqual(spec.points);
      if (spec.kind === 'polygon') expect(g.points[g.points.length - 1]).toEqual(spec.points[0]);
    });
  }
  it('the circle carries the ATAK KML style link and labels_on like a WinTAK circle', () => {
    const xml = serializeCotXml(buildShapeEvent('c1', { kind: 'circle', name: 'c', points: [[1, 2]], radius: 10, color: '#00ff00' }));
    expect(xml).toContain('<shape><ellipse major="10" minor="10" angle="360"/><link uid="c1.Style" type="b-x-KmlStyle" relation="p-c">');
    expect(xml).toContain('<labels_on value="true"/>');
  });
  it('colours convert like ATAK (signed ARGB)', () => {
    expect(argbInt('#ffff00')).toBe(-256);
    expect(argbInt('#ff0000')).toBe(-65536);
    expect(fromArgb(-16711681)).toEqual({ hex: '#00ffff', opacity: 1 });
  });
  it('delete is a t-x-d-d naming the target in <link uid>', () => {
    const ev = parseCotXml(serializeCotXml(buildDeleteEvent('kz-shape-1')));
    expect(ev.type).toBe('t-x-d-d');
    expect(ev.detailXml).toContain('<link uid="kz-shape-1"');
  });
  it('hostile detail: 50,000 vertices keep at most MAX_SHAPE_POINTS, and stay linear', () => {
    const links = '<link point="1,2"/>'.repeat(50_000);
    const g = shapeGeometry('u-d-f', { lat: 0, lon: 0 }, links)!;
    expect(g.points).toHaveLength(MAX_SHAPE_POINTS);
    expect(shapeGeometry('u-d-f', { lat: 0, lon: 0 }, '<link point="1,2"'.repeat(20_000))).toBeUndefined();
  });
});

describe('range rings in the ATAK DrawingCircle layout', () => {
  /** element names of a detail in document order, the style link's insides left out */
  const layout = (detailXml: string) => [...detailXml.replace(/<link uid=["'][^"']*\.Style["'][\s\S]*?<\/link>/, '<link-style/>').matchAll(/<([A-Za-z_][\w-]*)/g)].map((m) => m[1]);
  const ellipsesOf = (detailXml: string) => [...detailXml.matchAll(/<ellipse major="([\d.]+)" minor="([\d.]+)" angle="(\d+)"\/>/g)].map((m) => [Number(m[1]), Number(m[2]), m[3]]);
  const spec: ShapeSpec = { kind: 'rings', name: 'Naha rings', points: [[26.2124, 127.6809]], radius: 500, rings: 3, color: '#ff8000' };

  it('the fixture reads as three rings of 500 m spacing, centred on the event point, with its colours', () => {
    const ev = fixture('kizuna-range-rings-shape-extras.xml');
    expect(ev.type).toBe('u-r-b-c-c');
    expect(shapeGeometry(ev.type, ev.point, ev.detailXml)).toMatchObject({ kind: 'rings', radii: [500, 1000, 1500], points: [[26.2124, 127.6809]], stroke: '#ff8000', fill: '#ff8000' });
  });
  it('what Kizuna writes has the fixture detail layout (ellipse per ring, style link, __shapeExtras, ARGB) and reads back the same', () => {
    const ev = fixture('kizuna-range-rings-shape-extras.xml');
    const built = parseCotXml(serializeCotXml(buildShapeEvent(ev.uid, spec, Date.parse(ev.time))));
    expect(built.type).toBe(ev.type);
    expect([built.point.lat, built.point.lon]).toEqual([ev.point.lat, ev.point.lon]);
    expect(layout(built.detailXml)).toEqual(layout(ev.detailXml));
    expect(ellipsesOf(built.detailXml)).toEqual(ellipsesOf(ev.detailXml.replace(/'/g, '"').replace(/\.0"/g, '"')));
    expect(built.detailXml).toContain('<__shapeExtras cpvis="true" editable="true"/>');
    for (const tag of ['strokeColor', 'fillColor']) expect(built.detailXml).toContain(ev.detailXml.match(new RegExp(`<${tag} value='(-?\\d+)'/>`))![0].replace(/'/g, '"'));
    expect(shapeGeometry(built.type, built.point, built.detailXml)).toEqual(shapeGeometry(ev.type, ev.point, ev.detailXml));
  });
  it('rings written out of order read as base radius and count, as ATAK imports them', () => {
    const detail = '<shape><ellipse major="1500" minor="1500" angle="360"/><ellipse major="500" minor="500" angle="360"/><ellipse major="1000" minor="1000" angle="360"/></shape>';
    expect(shapeGeometry('u-r-b-c-c', { lat: 1, lon: 2 }, detail)!.radii).toEqual([500, 1000, 1500]);
  });
});

describe('ATAK alert events', () => {
  it('WinTAK 911, WearOS custom alert, and the feeds squawk alert contract', async () => {
    const { alertInfo } = await import('./alert.js');
    const w = fixture('kizuna-emergency-wintak-b-a-o-tbl.xml');
    expect(alertInfo(w.type, w.detailXml)).toEqual({ kind: 'emergency', label: 'Alert', text: 'HAKATA', about: 'S-1-5-21-1111111111-2222222222-3333333333-1001', cancel: false });
    const o = fixture('nodecot-emergency-wearos-b-a-o.xml');
    expect(alertInfo(o.type, o.detailXml)).toMatchObject({ kind: 'custom', label: 'Manual Alert: Gunshot', about: 'WEAROS_dce34c83708172e9' });
    const sq = '<link uid="ICAO-86D1A2" relation="p-p"/><emergency type="911 Alert">JAL123 squawk 7700</emergency>';
    expect(alertInfo('b-a-o-tbl', sq)).toMatchObject({ kind: 'emergency', text: 'JAL123 squawk 7700', about: 'ICAO-86D1A2' });
    expect(alertInfo('b-a-o-can', sq)!.cancel).toBe(true);
    expect(alertInfo('b-a-o-tbl', '<emergency type="911 Alert" cancel="true">x</emergency>')!.cancel).toBe(true);
    expect(alertInfo('a-f-G', sq)).toBeUndefined();
  });
});
