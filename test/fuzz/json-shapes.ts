/**
 * Adversarial JSON shapes for the JSON fuzz targets and the GeoJSON linear-time test, each sized by
 * `n` (roughly the element count): deep nesting, many keys, long strings, huge coordinate arrays,
 * many features, deeply nested geometry collections, prototype-poisoning keys.
 */
const rep = (s: string, n: number): string => s.repeat(Math.max(0, n));
const pt = (i: number): string => `[${(i % 360) - 180 + 0.5},${(i % 180) - 90 + 0.25}]`;

export const JSON_SHAPES: Record<string, (n: number) => string> = {
  'deep arrays': (n) => rep('[', n) + rep(']', n),
  'deep objects': (n) => rep('{"a":', n) + '1' + rep('}', n),
  'unterminated nesting': (n) => rep('[{"a":', n),
  'many keys': (n) => `{${Array.from({ length: n }, (_, i) => `"k${i}":${i}`).join(',')}}`,
  'duplicate keys': (n) => `{${rep('"text":"x",', n)}"text":"y"}`,
  'long string': (n) => `{"text":"${rep('\\u0041', n)}","username":"${rep('a', n)}","password":"p"}`,
  'long number': (n) => `{"lat":1${rep('0', n)}.5e${rep('9', 3)}}`,
  'proto poisoning': (n) => `{"a":${rep('[', n % 64)}{"__proto__":{"x":1}}${rep(']', n % 64)}}`,
  'constructor poisoning': (n) => `{"constructor":{"prototype":{"x":${n}}}}`,
  'many features': (n) =>
    `{"type":"FeatureCollection","features":[${Array.from({ length: n }, (_, i) => `{"type":"Feature","geometry":{"type":"Point","coordinates":${pt(i)}},"properties":{"name":"f${i}"}}`).join(',')}]}`,
  'huge coordinate array': (n) => `{"type":"LineString","coordinates":[${Array.from({ length: n }, (_, i) => pt(i)).join(',')}]}`,
  'huge multipoint': (n) => `{"type":"MultiPoint","coordinates":[${Array.from({ length: n }, (_, i) => pt(i)).join(',')}]}`,
  'many rings': (n) => `{"type":"MultiPolygon","coordinates":[${Array.from({ length: n }, (_, i) => `[[${pt(i)},${pt(i + 1)},${pt(i + 2)},${pt(i)}]]`).join(',')}]}`,
  'deep geometry collections': (n) => rep('{"type":"GeometryCollection","geometries":[', n) + `{"type":"Point","coordinates":[1,2]}` + rep(']}', n),
  'deep coordinates': (n) => `{"type":"Polygon","coordinates":${rep('[', n)}1${rep(']', n)}}`,
  'long property text': (n) => `{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"properties":{"name":"${rep(' ', n)}x${rep(' ', n)}","description":"${rep('d', n)}"}}`,
};
