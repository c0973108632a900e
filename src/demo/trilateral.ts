import type { KizunaNode } from '../node/node.js';
import { KizunaError } from '../util/errors.js';

export const TRILATERAL_TITLE = 'Trilateral HA/DR: typhoon relief, northern Luzon';

/**
 * The demo's trilateral coordination request: HA/DR needing the concurrence of every nation, raised and
 * submitted by the given node's coordinator (the middle of the line: its request reaches both partners
 * directly, and their concurrences reach each other through it as relayed documents). Raised once per
 * data directory.
 */
export async function raiseTrilateralRequest(node: KizunaNode, nations: readonly string[]): Promise<string> {
  const coord = node.coordination;
  const existing = (await coord.listRequests({ kind: 'hadr', limit: 500 })).find((b) => b.request.body.title === TRILATERAL_TITLE);
  if (existing) return existing.request.id;
  const username = `${node.config.nation.toLowerCase()}-coord`;
  const user = await node.users.sessionUser(username);
  if (!user) throw new KizunaError('CONFIG_INVALID', `demo user ${username} is missing`);
  const b = await coord.createRequest(user, {
    kind: 'hadr',
    title: TRILATERAL_TITLE,
    description: 'Sealift (JS OSUMI, BRP TARLAC) and airlift (RELIEF 21) of relief supplies to Aparri; needs the concurrence of every participating nation.',
    nations: [...nations],
    priority: 'immediate',
    area: { type: 'Point', coordinates: [121.64, 18.36] },
    label: { classification: 'UNCLASSIFIED', relTo: [...nations] },
  });
  await coord.act(user, b.request.id, 'submit');
  return b.request.id;
}
