/**
 * GET /api/history: the picture as it was, for the replay slider. The store samples its event history
 * (newest event per uid per step); every sampled event is released one by one through the guard with the
 * label it was stored with, so a replay shows exactly what a live viewer with this audience could have seen.
 */
import { z } from 'zod';
import type { Labelled } from '../../labels/types.js';
import type { StoredEvent } from '../../store/types.js';
import { KizunaError } from '../../util/errors.js';
import type { ApiDeps } from '../deps.js';
import type { TrackView } from '../contract.js';
import { labelViews } from '../release.js';
import { route, type AnyRoute } from '../route-table.js';
import { apiSchemas, TrackViewSchema } from '../schemas.js';
import { trackViewOf } from '../track-view.js';

/** Longest window one call may ask for, and at most this many steps in it (rows ≤ uids × steps). */
export const HISTORY_LIMITS = { maxWindowMs: 24 * 3_600_000, maxSteps: 720, maxRows: 50_000 } as const;

export const HistoryQuerySchema = z.object({
  since: z.coerce.number().int().describe('start of the window, ms since epoch'),
  until: z.coerce.number().int().describe('end of the window (exclusive), ms since epoch'),
  step: z.coerce.number().int().min(1000).optional().describe('sample width in ms (raised so the window has at most 720 steps)'),
});
export const HistorySchema = z.object({
  items: z.array(TrackViewSchema).describe('releasable sampled events, oldest first; at most 50,000 (the newest are cut)'),
  step: z.number().describe('the sample width used, ms'),
});
apiSchemas.add(HistorySchema, { id: 'History', description: 'sampled track history over a window' });

export function historyRoutes(deps: ApiDeps): AnyRoute[] {
  const lv = labelViews(deps.registry);
  const labelled = (e: StoredEvent): Labelled<StoredEvent> => ({ label: e.label, value: e });
  return [
    route({
      method: 'GET',
      url: '/api/history',
      summary: 'Track history in a window (≤ 24 h), sampled per uid and step, released event by event',
      tag: 'tracks',
      auth: 'viewer',
      query: HistoryQuerySchema,
      response: HistorySchema,
      handler: async ({ user, query }) => {
        const window = query.until - query.since;
        if (window <= 0 || window > HISTORY_LIMITS.maxWindowMs) {
          throw new KizunaError('BAD_REQUEST', `until must be after since, by at most ${HISTORY_LIMITS.maxWindowMs / 3_600_000} h`);
        }
        const step = Math.max(query.step ?? 0, 1000, Math.ceil(window / HISTORY_LIMITS.maxSteps));
        const rows = await deps.store.events.sampledHistory({ since: query.since, until: query.until, step, limit: HISTORY_LIMITS.maxRows });
        const items: TrackView[] = deps.guard.releaseMany(rows.map(labelled), user.audience, 'rest').map((r) => trackViewOf(r.value, lv(r.label)));
        return { items, step };
      },
    }),
  ];
}
