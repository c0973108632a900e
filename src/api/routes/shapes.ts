/**
 * Drawings and imported overlays from the browser: each becomes an ATAK/WinTAK shape event published as the
 * user through the write authority (Pipeline.fromUser via `deps.publishCot`), so it is stored, federated and
 * released by the guard like any track. Delete is a `t-x-d-d` through the same path: only the holder (or a
 * coordinator of the owning nation) may change or delete a shape, and a refused, hidden or missing target all
 * answer the same 403.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { buildDeleteEvent, buildShapeEvent, MAX_RADIUS_M, MAX_RINGS, MAX_SHAPE_POINTS, type ShapeSpec } from '../../cot/shapes.js';
import { LabelInputSchema } from '../../coordination/index.js';
import type { ApiDeps } from '../deps.js';
import { commandRoute, route, type AnyRoute } from '../route-table.js';
import { apiSchemas } from '../schemas.js';

/** Shapes per import (one overlay file): each is one stored, federated event. */
export const MAX_IMPORT_FEATURES = 500;

const LatLon = z.tuple([z.number().min(-90).max(90), z.number().min(-180).max(180)]);
const ShapeFields = {
  kind: z.enum(['marker', 'line', 'polygon', 'rectangle', 'circle', 'rings', 'route']),
  name: z.string().min(1).max(200),
  points: z.array(LatLon).min(1).max(MAX_SHAPE_POINTS),
  radius: z.number().positive().max(MAX_RADIUS_M).optional(),
  rings: z.number().int().min(1).max(MAX_RINGS).optional(),
  color: z.string().regex(/^#[0-9a-fA-F]{6}$/).optional(),
  remarks: z.string().max(2000).optional(),
};
const ShapeItemSchema = z
  .object({ ...ShapeFields, uid: z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/).optional() })
  .strict()
  .superRefine((s, ctx) => {
    const min = s.kind === 'marker' || s.kind === 'circle' || s.kind === 'rings' ? 1 : s.kind === 'polygon' || s.kind === 'rectangle' ? 3 : 2;
    if (s.points.length < min) ctx.addIssue({ code: 'custom', path: ['points'], message: `a ${s.kind} needs at least ${min} point(s)` });
    if ((s.kind === 'circle' || s.kind === 'rings') && s.radius === undefined) ctx.addIssue({ code: 'custom', path: ['radius'], message: `a ${s.kind} needs a radius` });
  });
const ShapeBodySchema = z.object({ shape: ShapeItemSchema, label: LabelInputSchema.optional() }).strict();
apiSchemas.add(ShapeBodySchema, { id: 'ShapeBody', description: 'one drawing ([lat, lon] points, radius in metres) and its label' });
const ShapeBatchSchema = z.object({ shapes: z.array(ShapeItemSchema).min(1).max(MAX_IMPORT_FEATURES), label: LabelInputSchema.optional() }).strict();
apiSchemas.add(ShapeBatchSchema, { id: 'ShapeBatch', description: 'an imported overlay: every feature gets the one label chosen at import' });
const ShapeResultSchema = z.object({ uids: z.array(z.string()) });
apiSchemas.add(ShapeResultSchema, { id: 'ShapeResult', description: 'uids of the published shape events' });
const UidParamsSchema = z.object({ uid: z.string().min(1).max(256) });

type ShapeItem = z.infer<typeof ShapeItemSchema>;

function specOf(item: ShapeItem): ShapeSpec {
  const { uid: _uid, ...spec } = item;
  return spec as ShapeSpec;
}

export function shapeRoutes(deps: ApiDeps): AnyRoute[] {
  const publish = deps.publishCot;
  if (!publish) return [];
  const uidOf = (item: ShapeItem) => item.uid ?? `kz-shape-${randomUUID()}`;
  return [
    route({
      method: 'POST',
      url: '/api/shapes',
      summary: 'Draw (or redraw your own) shape: published as its ATAK CoT (u-d-f, u-d-r, u-d-c-c, u-r-b-c-c, b-m-r, b-m-p-s-m)',
      tag: 'tracks',
      auth: 'operator',
      body: ShapeBodySchema,
      response: ShapeResultSchema,
      handler: async ({ user, body }) => {
        const uid = uidOf(body.shape);
        await publish(buildShapeEvent(uid, specOf(body.shape)), body.label, user);
        return { uids: [uid] };
      },
    }),
    route({
      method: 'POST',
      url: '/api/shapes/import',
      summary: `Import an overlay (at most ${MAX_IMPORT_FEATURES} features): each feature becomes a shape with the one label`,
      tag: 'tracks',
      auth: 'operator',
      body: ShapeBatchSchema,
      bodyLimit: 8 * 1024 * 1024,
      response: ShapeResultSchema,
      handler: async ({ user, body }) => {
        const uids: string[] = [];
        for (const item of body.shapes) {
          const uid = uidOf(item);
          await publish(buildShapeEvent(uid, specOf(item)), body.label, user);
          uids.push(uid);
        }
        return { uids };
      },
    }),
    commandRoute({
      method: 'DELETE',
      url: '/api/shapes/:uid',
      summary: 'Delete your own shape (a t-x-d-d through the write authority; refused, hidden and missing answer the same)',
      tag: 'tracks',
      auth: 'operator',
      params: UidParamsSchema,
      act: ({ user, params }) => publish(buildDeleteEvent(params.uid), undefined, user),
    }),
  ];
}
