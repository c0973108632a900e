/**
 * The DOM half of overlay parsing (KML needs the browser's DOMParser): KML text and browser Files to shapes.
 */
import { kml } from '@tmcw/togeojson';
import type { ShapeInput } from '../api.js';
import { featuresToShapes, MAX_FILE_BYTES, OverlayError, parseGeoJson, unzipKml, type Feat } from './parse.js';

export function parseKml(file: string, source: string): ShapeInput[] {
  // DOMParser never fetches or expands external entities; a DOCTYPE is refused outright all the same
  if (/<!DOCTYPE/i.test(source.slice(0, 4096))) throw new OverlayError('overlay.err.xml', { file, detail: 'DOCTYPE is not accepted' });
  const doc = new DOMParser().parseFromString(source, 'application/xml');
  const err = doc.getElementsByTagName('parsererror')[0];
  if (err) throw new OverlayError('overlay.err.xml', { file, detail: (err.textContent ?? '').trim().split('\n')[0]!.slice(0, 200) });
  if (doc.documentElement.localName.toLowerCase() !== 'kml') throw new OverlayError('overlay.err.xml', { file, detail: `root element is <${doc.documentElement.localName}>, not <kml>` });
  return featuresToShapes(file, kml(doc).features as Feat[]);
}

/** A browser File to shapes, by extension. */
export async function parseOverlayFile(f: File): Promise<ShapeInput[]> {
  const file = f.name;
  if (f.size > MAX_FILE_BYTES) throw new OverlayError('overlay.err.tooLarge', { file, size: (f.size / 1048576).toFixed(1), max: MAX_FILE_BYTES / 1048576 });
  const ext = file.toLowerCase().split('.').pop();
  if (ext === 'kml') return parseKml(file, await f.text());
  if (ext === 'kmz') return parseKml(file, unzipKml(file, new Uint8Array(await f.arrayBuffer())));
  if (ext === 'geojson' || ext === 'json') return parseGeoJson(file, await f.text());
  throw new OverlayError('overlay.err.type', { file });
}
