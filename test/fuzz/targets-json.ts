import { createRequire } from 'node:module';
import fc from 'fast-check';
import { ZodError } from 'zod';
import type { AnyRoute } from '../../src/api/route-table.js';
import { sessionRoutes } from '../../src/api/routes/session.js';
import { trackRoutes } from '../../src/api/routes/tracks.js';
import { coordinationRoutes } from '../../src/api/routes/coordination.js';
import { feedRoutes } from '../../src/api/routes/feeds.js';
import { labelRoutes } from '../../src/api/routes/labels.js';
import { shapeRoutes } from '../../src/api/routes/shapes.js';
import { historyRoutes } from '../../src/api/routes/history.js';
import { missionRoutes } from '../../src/api/routes/missions.js';
import type { ApiDeps } from '../../src/api/deps.js';
import { labelFromJson } from '../../src/labels/json.js';
import { loadPolicies } from '../../src/labels/registry.js';
import { isKizunaError } from '../../src/util/errors.js';
import { OverlayError, parseGeoJson } from '../../web/src/overlays/parse.js';
import { corpus, mutated } from './gen.js';
import { JSON_SHAPES } from './json-shapes.js';
import type { Target } from './targets.js';

/**
 * Fuzz targets for the JSON parsers: request bodies of the REST API (fastify's own JSON parser with
 * the route's body limit, then the route's zod schema), the REST label representation, and the
 * browser's GeoJSON overlay import. Each must refuse with its own error type; anything else escaping
 * is a crash.
 */

const utf8 = (b: Buffer): string => b.toString('utf8');

/** JSON text: corpus seeds mutated byte-wise, arbitrary JSON values, and the adversarial shapes. */
function jsonInput(seeds: string): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: mutated(corpus(seeds)).map(utf8) },
    { weight: 2, arbitrary: fc.json({ maxDepth: 6 }) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...Object.values(JSON_SHAPES)), fc.integer({ min: 0, max: 4096 })).map(([f, n]) => f(n)) },
  );
}

// The routes are only inspected (schemas, limits), never called: a stub that answers a function for
// every dependency makes the optional routes (feeds, CoT ingest) exist too.
const stub = new Proxy({}, { get: (_t, k) => (k === 'maxEventBytes' || k === 'then' ? undefined : () => undefined) }) as ApiDeps;
const bodyRoutes: AnyRoute[] = [
  ...sessionRoutes(stub), ...trackRoutes(stub), ...coordinationRoutes(stub), ...feedRoutes(stub.feeds),
  ...labelRoutes(stub), ...shapeRoutes(stub), ...historyRoutes(stub), ...missionRoutes(stub),
].filter((r) => r.body);

/** fastify's default JSON parser as the node's server builds it (prototype/constructor poisoning: error). */
type JsonParser = (req: unknown, body: string, done: (err: Error | null, value?: unknown) => void) => void;
const fastifyJson = (createRequire(import.meta.url)('fastify/lib/content-type-parser.js') as {
  defaultParsers: { getDefaultJsonParser(proto: string, ctor: string): JsonParser };
}).defaultParsers.getDefaultJsonParser('error', 'error');
const DEFAULT_BODY_LIMIT = 256 * 1024;

/** fastify's JSON parse of a body: the value, or the parser's refusal code. */
function parseBody(body: string): { value: unknown } | { refused: string } {
  let parsed: { err: Error | null; value?: unknown } | undefined;
  fastifyJson({}, body, (err, value) => (parsed = { err, value }));
  if (!parsed) throw new Error('the JSON parser did not answer synchronously');
  if (!parsed.err) return { value: parsed.value };
  const code = (parsed.err as { code?: string }).code;
  if (!code?.startsWith('FST_ERR_CTP_')) throw parsed.err;
  return { refused: code };
}

/** A parsed body against one route's limit and schema (the rest of its path up to the handler). */
function throughRoute(r: AnyRoute, bytes: number, parsed: { value: unknown } | { refused: string }): string {
  if (bytes > (r.bodyLimit ?? DEFAULT_BODY_LIMIT)) return 'FST_ERR_CTP_BODY_TOO_LARGE';
  if ('refused' in parsed) return parsed.refused;
  try {
    r.body.parse(parsed.value ?? {});
    return '';
  } catch (e) {
    if (e instanceof ZodError) return 'VALIDATION';
    throw e;
  }
}

/**
 * Every body goes to every route that takes one (parsed once: the parser is the same for all); the
 * outcome is the best any route gave. A request reaches one route, so the time per input here is an
 * upper bound of one request's.
 */
const jsonBody: Target<string> = {
  name: 'json-body',
  input: jsonInput('json-body'),
  run: (s) => {
    const parsed = parseBody(s);
    const bytes = Buffer.byteLength(s);
    const outcomes = new Set(bodyRoutes.map((r) => throughRoute(r, bytes, parsed)));
    return outcomes.has('') ? '' : outcomes.has('VALIDATION') ? 'VALIDATION' : [...outcomes].sort()[0]!;
  },
};

const policies = loadPolicies();

/** The REST label form: `labelFromJson` (size bound, JSON, strict schema), then the policy check. */
const labelJson: Target<string> = {
  name: 'label-json',
  input: jsonInput('label-json'),
  run: (s) => {
    try {
      policies.validate(labelFromJson(s));
      return '';
    } catch (e) {
      if (isKizunaError(e) && e.code) return e.code;
      throw e;
    }
  },
};

/** The browser's GeoJSON overlay import (`parseGeoJson`): only OverlayErrors may come out. */
const geoJson: Target<string> = {
  name: 'geojson',
  input: jsonInput('geojson'),
  run: (s) => {
    try {
      parseGeoJson('fuzz.geojson', s);
      return '';
    } catch (e) {
      if (e instanceof OverlayError) return e.key;
      throw e;
    }
  },
};

export const JSON_TARGETS = [jsonBody, labelJson, geoJson];
