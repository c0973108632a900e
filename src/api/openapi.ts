import { z } from 'zod';
import { ErrorCodes } from '../util/errors.js';
import type { AnyRoute } from './route-table.js';
import { apiSchemas } from './schemas.js';

type Json = Record<string, unknown>;
const REF = (id: string) => `#/components/schemas/${id}`;

function idOf(schema: z.ZodType): string {
  const id = apiSchemas.get(schema)?.id;
  if (!id) throw new Error('response/body schema must be registered in apiSchemas');
  return id;
}

/** zod v4 emits standalone draft 2020-12 documents; inside OpenAPI 3.1 the $schema/$id keys are noise. */
function strip(s: Json): Json {
  const { $schema: _s, $id: _i, ...rest } = s;
  return rest;
}

function parametersOf(obj: z.ZodObject<z.ZodRawShape> | undefined, where: 'path' | 'query'): Json[] {
  if (!obj) return [];
  const json = z.toJSONSchema(obj, { io: 'input', unrepresentable: 'any' }) as Json;
  const props = (json.properties ?? {}) as Record<string, Json>;
  const required = new Set((json.required as string[] | undefined) ?? []);
  return Object.entries(props).map(([name, schema]) => {
    const { description, ...rest } = schema;
    return {
      name,
      in: where,
      required: where === 'path' || required.has(name),
      schema: rest,
      ...(typeof description === 'string' ? { description } : {}),
    };
  });
}

/** fastify `/api/x/:id` → OpenAPI `/api/x/{id}` */
export function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

const ERROR_STATUSES = [...new Set(Object.values(ErrorCodes).map((e) => e.status))].sort();

export function buildOpenApi(routes: AnyRoute[], info: { title: string; version: string; node: string }): Json {
  const components = z.toJSONSchema(apiSchemas, { uri: REF, io: 'input', unrepresentable: 'any' }) as { schemas: Record<string, Json> };
  const schemas: Record<string, Json> = {};
  for (const [id, s] of Object.entries(components.schemas)) schemas[id] = strip(s);
  const errorRef = { $ref: REF('Error') };

  const paths: Record<string, Record<string, Json>> = {};
  for (const r of routes) {
    const p = (paths[openApiPath(r.url)] ??= {});
    const responses: Record<string, Json> = {
      '200': { description: 'OK', content: { 'application/json': { schema: { $ref: REF(idOf(r.response)) } } } },
    };
    for (const st of ERROR_STATUSES) {
      if (r.auth === 'public' && (st === 401 || st === 403)) continue;
      responses[String(st)] = { description: 'error (see the error code table)', content: { 'application/json': { schema: errorRef } } };
    }
    const op: Json = {
      operationId: `${r.method.toLowerCase()}${openApiPath(r.url).replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      summary: r.summary,
      tags: [r.tag],
      parameters: [...parametersOf(r.params, 'path'), ...parametersOf(r.query, 'query')],
      responses,
      'x-kizuna-role': r.auth,
    };
    if (r.auth !== 'public') op.security = [{ bearer: [] }];
    if (r.body) {
      op.requestBody = { required: true, content: { 'application/json': { schema: { $ref: REF(idOf(r.body)) } } } };
    }
    p[r.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: { title: info.title, version: info.version, description: `Kizuna node ${info.node}: every answer has passed the release guard for the caller.` },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    servers: [{ url: '/' }],
    paths,
    components: {
      schemas,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'session or API token from /api/auth/login' } },
    },
  };
}
