import { z } from 'zod';
import type { Labelled } from '../../labels/types.js';
import type { StoredEvent } from '../../store/types.js';
import type { ApiDeps } from '../deps.js';
import type { TrackView } from '../contract.js';
import { labelViews, releaseOrNotFound } from '../release.js';
import { commandRoute, route, type AnyRoute } from '../route-table.js';
import { apiSchemas, TrackListSchema, TrackQuerySchema, TrackViewSchema } from '../schemas.js';
import { trackViewOf } from '../track-view.js';
import { LabelInputSchema } from '../../coordination/index.js';
import { DEFAULT_MAX_EVENT_BYTES } from '../../cot/xml.js';

/** Room in a POST /api/cot body for `{"xml": …}` around the event (the event's own limit is checked when parsed). */
const JSON_ENVELOPE_BYTES = 1024;

// No fixed length here: the route's body limit follows limits.maxEventBytes, and the parser checks the event's bytes.
const CotBodySchema = z.object({ xml: z.string().min(1) });
apiSchemas.add(CotBodySchema, { id: 'CotBody', description: 'one CoT event as XML (with or without its 4774 label)' });
const UidParamsSchema = z.object({ uid: z.string().min(1).max(256) });
const RelabelBodySchema = z.object({ label: LabelInputSchema }).strict();
apiSchemas.add(RelabelBodySchema, { id: 'RelabelBody', description: 'the new label of a track (this nation\'s policy)' });

export function trackRoutes(deps: ApiDeps): AnyRoute[] {
  const { guard } = deps;
  const lv = labelViews(deps.registry);
  const labelled = (e: StoredEvent): Labelled<StoredEvent> => ({ label: e.label, value: e });

  const { relabelTrack: relabel, ingestCot } = deps;
  return [
    route({
      method: 'GET',
      url: '/api/tracks',
      summary: 'Current picture: releasable, non-stale tracks (filter by type prefix and origin; uid cursor)',
      tag: 'tracks',
      auth: 'viewer',
      query: TrackQuerySchema,
      response: TrackListSchema,
      handler: async ({ user, query }) => {
        const candidates = (await deps.tracks.latest())
          .filter((e) => (query.type ? e.type.startsWith(query.type) : true) && (query.origin ? e.origin === query.origin : true))
          .map(labelled);
        // total = number of released items: a denied track never shows in a number. (guard.count would
        // say the same but also folds a high-water label over every item, ~40x slower at 2,000 tracks.)
        const released = guard
          .releaseMany(candidates, user.audience, 'rest')
          .sort((a, b) => (a.value.uid < b.value.uid ? -1 : a.value.uid > b.value.uid ? 1 : 0));
        const total = released.length;
        const items: TrackView[] = [];
        for (const r of released) {
          if (query.after !== undefined && r.value.uid <= query.after) continue;
          if (items.length >= query.limit) break;
          items.push(trackViewOf(r.value, lv(r.label)));
        }
        return { items, total };
      },
    }),
    route({
      method: 'GET',
      url: '/api/tracks/:uid',
      summary: 'Latest state of one track (404 when missing or not releasable)',
      tag: 'tracks',
      auth: 'viewer',
      params: UidParamsSchema,
      response: TrackViewSchema,
      handler: async ({ user, params }) => {
        const e = await deps.store.events.getLatest(params.uid);
        const r = releaseOrNotFound(guard, e ? labelled(e) : undefined, user.audience, 'rest');
        return trackViewOf(r.value, lv(r.label));
      },
    }),
    // the two writes exist only where the node wires them
    ...(relabel
      ? [
          commandRoute({
            method: 'POST',
            url: '/api/tracks/:uid/label',
            summary: 'Re-label a track of this nation (the only way to widen or lower a label; audited with before/after)',
            tag: 'tracks',
            auth: 'coordinator',
            params: UidParamsSchema,
            body: RelabelBodySchema,
            act: ({ user, params, body }) => relabel(params.uid, body.label, user),
          }),
        ]
      : []),
    ...(ingestCot
      ? [
          commandRoute({
            method: 'POST',
            url: '/api/cot',
            summary: 'Publish one CoT event as this user (the user must be cleared for its label)',
            tag: 'tracks',
            auth: 'operator',
            body: CotBodySchema,
            bodyLimit: (deps.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES) + JSON_ENVELOPE_BYTES,
            act: ({ user, body }) => ingestCot(body.xml, user),
          }),
        ]
      : []),
  ];
}
