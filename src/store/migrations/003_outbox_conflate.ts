import type { Dialect } from './dialect.js';

/**
 * Federation outbox rows may carry a conflation key (a position's origin + uid): a newer row with the same
 * key supersedes the queued ones. `live` counts the rows actually waiting, since seqs now have gaps.
 */
export const name = 'outbox_conflate';
export const sql = (d: Dialect): string => `
ALTER TABLE outbox_item ADD COLUMN conflate TEXT;
CREATE INDEX outbox_item_conflate ON outbox_item (peer, conflate) WHERE conflate IS NOT NULL;
ALTER TABLE outbox_peer ADD COLUMN live ${d.int64} NOT NULL DEFAULT 0;
UPDATE outbox_peer SET live = (SELECT COUNT(*) FROM outbox_item WHERE outbox_item.peer = outbox_peer.peer);
`;
