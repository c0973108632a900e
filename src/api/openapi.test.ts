import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { startBench, type Bench } from './test-support.js';

type Json = Record<string, any>;

/**
 * A structural checker for OpenAPI 3.1 (the parts this API uses), written here rather than trusted to a
 * library: required top-level fields, operations, parameters, responses, and every $ref resolving.
 */
function checkOpenApi31(doc: Json): string[] {
  const problems: string[] = [];
  const fail = (where: string, what: string): void => {
    problems.push(`${where}: ${what}`);
  };
  if (typeof doc.openapi !== 'string' || !/^3\.1\.\d+$/.test(doc.openapi)) fail('openapi', 'must be 3.1.x');
  if (!doc.info || typeof doc.info.title !== 'string' || typeof doc.info.version !== 'string') fail('info', 'title and version required');
  if (!doc.paths || typeof doc.paths !== 'object') fail('paths', 'required');
  const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
  const opIds = new Set<string>();
  const JSON_SCHEMA_TYPES = new Set(['object', 'array', 'string', 'number', 'integer', 'boolean', 'null']);

  const resolve = (ref: string): unknown => {
    if (!ref.startsWith('#/')) return undefined;
    let cur: any = doc;
    for (const part of ref.slice(2).split('/')) cur = cur?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    return cur;
  };
  const walkSchema = (s: unknown, where: string): void => {
    if (s === true || s === false) return;
    if (!s || typeof s !== 'object') return fail(where, 'schema must be an object or boolean');
    const o = s as Json;
    if (typeof o.$ref === 'string' && resolve(o.$ref) === undefined) fail(where, `unresolved $ref ${o.$ref}`);
    if (o.type !== undefined) {
      const types = Array.isArray(o.type) ? o.type : [o.type];
      for (const t of types) if (!JSON_SCHEMA_TYPES.has(t)) fail(where, `bad type ${t}`);
    }
    if (o.required !== undefined && (!Array.isArray(o.required) || o.required.some((r: unknown) => typeof r !== 'string'))) fail(where, 'required must be string[]');
    if (Array.isArray(o.required) && o.properties) for (const r of o.required) if (!(r in o.properties)) fail(where, `required ${r} not in properties`);
    for (const k of ['properties', 'patternProperties', '$defs']) if (o[k]) for (const [n, v] of Object.entries(o[k])) walkSchema(v, `${where}.${k}.${n}`);
    for (const k of ['items', 'additionalProperties', 'not', 'propertyNames']) if (o[k] !== undefined) walkSchema(o[k], `${where}.${k}`);
    for (const k of ['anyOf', 'oneOf', 'allOf', 'prefixItems']) if (o[k] !== undefined) {
      if (!Array.isArray(o[k])) fail(where, `${k} must be an array`);
      else o[k].forEach((v: unknown, i: number) => walkSchema(v, `${where}.${k}[${i}]`));
    }
  };

  for (const [name, schema] of Object.entries(doc.components?.schemas ?? {})) walkSchema(schema, `components.schemas.${name}`);
  for (const [path, item] of Object.entries(doc.paths ?? {}) as [string, Json][]) {
    if (!path.startsWith('/')) fail(path, 'path must start with /');
    const templ = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    for (const [method, op] of Object.entries(item) as [string, Json][]) {
      const where = `${method.toUpperCase()} ${path}`;
      if (!METHODS.includes(method)) {
        fail(where, 'unknown method');
        continue;
      }
      if (typeof op.operationId === 'string') {
        if (opIds.has(op.operationId)) fail(where, `duplicate operationId ${op.operationId}`);
        opIds.add(op.operationId);
      }
      if (!op.responses || Object.keys(op.responses).length === 0) fail(where, 'responses required');
      for (const [code, r] of Object.entries(op.responses ?? {}) as [string, Json][]) {
        if (!/^([1-5]\d\d|[1-5]XX|default)$/.test(code)) fail(where, `bad response code ${code}`);
        if (typeof r.description !== 'string') fail(where, `response ${code} needs a description`);
        for (const [media, c] of Object.entries(r.content ?? {}) as [string, Json][]) walkSchema(c.schema, `${where} ${code} ${media}`);
      }
      const params: Json[] = op.parameters ?? [];
      const seen = new Set<string>();
      for (const p of params) {
        if (!['query', 'header', 'path', 'cookie'].includes(p.in)) fail(where, `parameter ${p.name} has bad in`);
        if (seen.has(`${p.in}:${p.name}`)) fail(where, `duplicate parameter ${p.name}`);
        seen.add(`${p.in}:${p.name}`);
        if (p.in === 'path' && p.required !== true) fail(where, `path parameter ${p.name} must be required`);
        walkSchema(p.schema, `${where} param ${p.name}`);
      }
      for (const t of templ) if (!params.some((p) => p.in === 'path' && p.name === t)) fail(where, `path parameter {${t}} not declared`);
      for (const p of params) if (p.in === 'path' && !templ.includes(p.name)) fail(where, `path parameter ${p.name} not in template`);
      if (op.requestBody) {
        for (const c of Object.values(op.requestBody.content ?? {}) as Json[]) walkSchema(c.schema, `${where} body`);
        if (!op.requestBody.content) fail(where, 'requestBody needs content');
      }
      for (const req of op.security ?? []) for (const name of Object.keys(req)) if (!doc.components?.securitySchemes?.[name]) fail(where, `unknown security scheme ${name}`);
    }
  }
  return problems;
}

let b: Bench;
const registered: { method: string; url: string }[] = [];
beforeAll(async () => {
  b = await startBench();
});
afterAll(async () => b.stop());

describe('OpenAPI 3.1 document', () => {
  it('is served and structurally valid 3.1 with every $ref resolving', async () => {
    const r = await b.call('GET', '/api/openapi.json');
    expect(r.status).toBe(200);
    expect(checkOpenApi31(r.json)).toEqual([]);
    expect(r.json.openapi).toBe('3.1.0');
    expect(Object.keys(r.json.components.schemas)).toEqual(expect.arrayContaining(['TrackView', 'RequestView', 'LabelView', 'NewRequest', 'Error']));
  });

  it('documents every /api route fastify actually registered, and nothing else', async () => {
    const app = Fastify({ logger: false });
    app.addHook('onRoute', (r) => {
      const methods = Array.isArray(r.method) ? r.method : [r.method];
      for (const m of methods) if (m !== 'HEAD') registered.push({ method: m.toLowerCase(), url: r.url });
    });
    const { registerApi } = await import('./index.js');
    await registerApi(app, {
      nodeId: 'JPN', nation: 'JPN', registry: b.registry, guard: b.guard, store: b.store, users: b.users, coordination: b.coordination, tracks: b.feed,
      federationStatus: () => [], ingestCot: async () => undefined,
    });
    await app.ready();
    const doc = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    await app.close();
    const documented = Object.entries(doc.paths as Json).flatMap(([p, item]) => Object.keys(item as Json).map((m) => `${m} ${p}`)).sort();
    const actual = registered.filter((r) => r.url.startsWith('/api/')).map((r) => `${r.method} ${r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`).sort();
    expect(actual.length).toBeGreaterThan(20);
    expect(documented).toEqual(actual);
    // the routes listed in the contract.ts comment are all there
    for (const must of ['post /api/auth/login', 'post /api/auth/logout', 'get /api/me', 'get /api/tracks', 'get /api/requests', 'post /api/requests',
      'get /api/requests/{id}', 'post /api/requests/{id}/not-concur', 'post /api/requests/{id}/comments', 'get /api/calendar', 'post /api/calendar',
      'get /api/chat/rooms', 'get /api/chat/rooms/{id}/messages', 'post /api/chat/rooms/{id}/messages', 'get /api/posture', 'post /api/posture/propose',
      'post /api/posture/{id}/ack', 'get /api/openapi.json', 'get /api/federation/status', 'post /api/cot']) {
      expect(documented).toContain(must);
    }
  });

  it('the checker catches broken documents (it can fail)', () => {
    const bad = {
      openapi: '3.0.0',
      info: { title: 'x' },
      paths: { '/a/{id}': { get: { responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/Nope' } } } } } } } },
    };
    const problems = checkOpenApi31(bad);
    expect(problems).toEqual(expect.arrayContaining([
      'openapi: must be 3.1.x',
      'info: title and version required',
      'GET /a/{id}: path parameter {id} not declared',
      'GET /a/{id} 200 application/json: unresolved $ref #/components/schemas/Nope',
    ]));
  });

  it('response examples from the live API validate against the documented required fields', async () => {
    const doc = (await b.call('GET', '/api/openapi.json')).json;
    const token = await b.login('operator');
    const created = await b.call('POST', '/api/requests', { token, body: { kind: 'rfi', title: 't', description: '', nations: ['USA'], priority: 'routine' } });
    const schema = doc.components.schemas.RequestView;
    for (const k of schema.required) expect(created.json, k).toHaveProperty(k);
    for (const k of Object.keys(created.json)) expect(schema.properties, k).toHaveProperty(k);
  });
});
