import type Database from 'better-sqlite3';
import { checkKeys, checkLimit, checkOutboxItems, checkPeer, checkSeq, survivingItems } from './common.js';
import type { SqliteStatements } from './sqlite-schema.js';
import type { OutboxEntry, OutboxItem, OutboxStore } from './types.js';

/** Runs one store operation: typed errors out, driver errors wrapped, closed store refused. */
export type RunOp = <T>(what: string, fn: () => T) => Promise<T>;

/**
 * The federation outbox in SQLite: per-peer seqs assigned in one IMMEDIATE transaction, conflated
 * items superseded in place, acks clamped to what was assigned, and the inbound dedupe keys.
 */
export function sqliteOutboxStore(db: Database.Database, s: SqliteStatements, run: RunOp): OutboxStore {
  const enqueueTx = db.transaction((peer: string, items: OutboxEntry[]) => {
    s.peerInit.run(peer);
    const { last_seq } = s.peerGet.get(peer) as { last_seq: number };
    const keep = survivingItems(items);
    let live = 0;
    const seqs = items.map((it, i) => {
      const seq = last_seq + i + 1;
      if (!keep[i]) return seq;
      if (it.conflate !== undefined) live -= s.itemSupersede.run(peer, it.conflate).changes;
      s.itemInsert.run(peer, seq, it.key, it.payload, it.conflate ?? null);
      live++;
      return seq;
    });
    s.peerSetLast.run(last_seq + items.length, live, peer);
    return seqs;
  });
  const ackTx = db.transaction((peer: string, seq: number) => {
    const row = s.peerGet.get(peer) as { last_seq: number; acked: number } | undefined;
    if (!row) return;
    // A peer cannot acknowledge what was never assigned; clamp so depth never goes negative.
    const acked = Math.max(row.acked, Math.min(seq, row.last_seq));
    if (acked === row.acked) return;
    const dropped = s.itemDrop.run(peer, acked).changes;
    s.peerSetAcked.run(acked, dropped, peer);
  });
  const seenTx = db.transaction((keys: string[]) => {
    const now = Date.now();
    return keys.filter((k) => s.seenInsert.run(k, now).changes === 1);
  });
  return {
    enqueue: (peer, items) =>
      run('outbox enqueue failed', () => {
        checkPeer(peer);
        checkOutboxItems(items);
        return items.length === 0 ? [] : enqueueTx.immediate(peer, items);
      }),
    pending: (peer, afterSeq, limit) =>
      run('outbox pending failed', () => {
        const rows = s.itemPending.all(checkPeer(peer), checkSeq(afterSeq, 'afterSeq'), checkLimit(limit, 0)) as {
          seq: number;
          key: string;
          payload: Buffer;
        }[];
        return rows.map(
          (r): OutboxItem => ({
            seq: r.seq,
            key: r.key,
            payload: new Uint8Array(r.payload.buffer, r.payload.byteOffset, r.payload.byteLength),
          }),
        );
      }),
    ack: (peer, seq) => run('outbox ack failed', () => ackTx.immediate(checkPeer(peer), checkSeq(seq, 'seq'))),
    acked: (peer) =>
      run('outbox acked failed', () => {
        const row = s.peerGet.get(checkPeer(peer)) as { acked: number } | undefined;
        return row?.acked ?? 0;
      }),
    depth: (peer) =>
      run('outbox depth failed', () => {
        const row = s.peerGet.get(checkPeer(peer)) as { live: number } | undefined;
        return row?.live ?? 0;
      }),
    markSeen: (keys) => run('markSeen failed', () => seenTx.immediate(checkKeys(keys))),
  };
}
