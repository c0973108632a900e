import type pg from 'pg';
import { checkKeys, checkLimit, checkOutboxItems, checkPeer, checkSeq, survivingItems } from './common.js';
import type { Client } from './postgres-schema.js';
import type { OutboxStore } from './types.js';

/** The store's query primitives the outbox runs on. */
export interface PgOps {
  run<T>(what: string, fn: () => Promise<T>): Promise<T>;
  tx<T>(fn: (c: Client) => Promise<T>): Promise<T>;
  q<R extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<R[]>;
}

/**
 * The federation outbox in PostgreSQL: per-peer seqs assigned under the peer row's lock, conflated
 * items superseded in place, acks clamped to what was assigned, and the inbound dedupe keys.
 */
export function postgresOutboxStore(ops: PgOps): OutboxStore {
  return {
    enqueue: (peer, items) =>
      ops.run('outbox enqueue failed', async () => {
        checkPeer(peer);
        checkOutboxItems(items);
        if (items.length === 0) return [];
        return ops.tx(async (c) => {
          // The upsert row-locks the peer's counter: concurrent enqueuers get disjoint seq ranges and
          // supersede each other's rows in seq order.
          const { rows } = await c.query<{ last_seq: string }>(
            `INSERT INTO outbox_peer (peer, last_seq, acked) VALUES ($1, $2, 0)
             ON CONFLICT (peer) DO UPDATE SET last_seq = outbox_peer.last_seq + $2 RETURNING last_seq`,
            [peer, items.length],
          );
          const first = Number(rows[0]!.last_seq) - items.length + 1;
          const seqs = items.map((_, i) => first + i);
          const keep = survivingItems(items);
          const kept = items.flatMap((it, i) => (keep[i] ? [{ ...it, seq: seqs[i]! }] : []));
          const keys = [...new Set(kept.flatMap((it) => (it.conflate === undefined ? [] : [it.conflate])))];
          const superseded = keys.length
            ? (await c.query('DELETE FROM outbox_item WHERE peer = $1 AND conflate = ANY($2::text[])', [peer, keys])).rowCount ?? 0
            : 0;
          await c.query(
            'INSERT INTO outbox_item (peer, seq, key, payload, conflate) SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::bytea[], $5::text[])',
            [
              peer,
              kept.map((it) => it.seq),
              kept.map((it) => it.key),
              kept.map((it) => Buffer.from(it.payload.buffer, it.payload.byteOffset, it.payload.byteLength)),
              kept.map((it) => it.conflate ?? null),
            ],
          );
          await c.query('UPDATE outbox_peer SET live = live + $2 WHERE peer = $1', [peer, kept.length - superseded]);
          return seqs;
        });
      }),
    pending: (peer, afterSeq, limit) =>
      ops.run('outbox pending failed', async () => {
        const rows = await ops.q<{ seq: string; key: string; payload: Buffer }>(
          'SELECT seq, key, payload FROM outbox_item WHERE peer = $1 AND seq > $2 ORDER BY seq LIMIT $3',
          [checkPeer(peer), checkSeq(afterSeq, 'afterSeq'), checkLimit(limit, 0)],
        );
        return rows.map((r) => ({
          seq: Number(r.seq),
          key: r.key,
          payload: new Uint8Array(r.payload.buffer, r.payload.byteOffset, r.payload.byteLength),
        }));
      }),
    ack: (peer, seq) =>
      ops.run('outbox ack failed', async () => {
        checkPeer(peer);
        checkSeq(seq, 'seq');
        await ops.tx(async (c) => {
          // Clamped to the last assigned seq: a peer cannot acknowledge what was never sent.
          const { rows } = await c.query<{ acked: string }>(
            'UPDATE outbox_peer SET acked = GREATEST(acked, LEAST($2::bigint, last_seq)) WHERE peer = $1 RETURNING acked',
            [peer, seq],
          );
          if (!rows[0]) return;
          const dropped = await c.query('DELETE FROM outbox_item WHERE peer = $1 AND seq <= $2', [peer, rows[0].acked]);
          await c.query('UPDATE outbox_peer SET live = live - $2 WHERE peer = $1', [peer, dropped.rowCount ?? 0]);
        });
      }),
    acked: (peer) =>
      ops.run('outbox acked failed', async () => {
        const [r] = await ops.q<{ acked: string }>('SELECT acked FROM outbox_peer WHERE peer = $1', [checkPeer(peer)]);
        return r ? Number(r.acked) : 0;
      }),
    depth: (peer) =>
      ops.run('outbox depth failed', async () => {
        const [r] = await ops.q<{ d: string }>('SELECT live AS d FROM outbox_peer WHERE peer = $1', [
          checkPeer(peer),
        ]);
        return r ? Number(r.d) : 0;
      }),
    markSeen: (keys) =>
      ops.run('markSeen failed', async () => {
        const unique = [...new Set(checkKeys(keys))];
        if (unique.length === 0) return [];
        const rows = await ops.q<{ key: string }>(
          'INSERT INTO inbound_seen (key, seen_at) SELECT unnest($1::text[]), $2 ON CONFLICT (key) DO NOTHING RETURNING key',
          [unique, Date.now()],
        );
        const fresh = new Set(rows.map((r) => r.key));
        return unique.filter((k) => fresh.has(k));
      }),
  };
}
