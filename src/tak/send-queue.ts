/**
 * The backlog of one client whose socket cannot take more bytes. Situational-awareness updates are
 * conflated per uid: a newer SA for a uid replaces the queued one IN ITS PLACE, so every uid's turn comes
 * within one pass over the queue and what leaves is the newest position at that moment. (Moving the entry
 * to the end instead would let a uid that reports faster than the queue drains be pushed back for ever,
 * and the fastest movers would be the ones never shown.) Everything else (chat, alerts, deletes, file
 * shares, coordination, control replies) is queued in order and never dropped or merged.
 *
 * One ordering rule crosses the classes: a delete of uid X seals X's queued SA, so an SA for X that
 * arrives after the delete is queued after it (otherwise a track that re-appears would be deleted by a
 * delete older than its new position).
 */
export class ConflatingSendQueue {
  private entries: (Entry | undefined)[] = [];
  private head = 0;
  /** uid → its queued, not yet sealed SA entry */
  private readonly sa = new Map<string, Entry>();
  /** bytes waiting (after conflation) */
  bytes = 0;
  /** bytes of non-conflatable entries waiting: the part that conflation can never shrink */
  fixedBytes = 0;
  /** SA updates that replaced an older queued one (i.e. positions the client skipped) */
  conflated = 0;

  get length(): number {
    return this.entries.length - this.head;
  }

  /** Queues an SA update for `uid`; replaces the queued one for the same uid, keeping its place. */
  pushSa(uid: string, bytes: Uint8Array): void {
    const queued = this.sa.get(uid);
    if (queued) {
      this.bytes += bytes.length - queued.bytes.length;
      queued.bytes = bytes;
      this.conflated++;
      return;
    }
    const e: Entry = { bytes, saUid: uid };
    this.sa.set(uid, e);
    this.append(e);
  }

  /** Queues an item that keeps its order and is never dropped; `seals` = uid this item deletes. */
  pushFixed(bytes: Uint8Array, seals?: string): void {
    if (seals !== undefined) this.sa.delete(seals);
    this.fixedBytes += bytes.length;
    this.append({ bytes, saUid: undefined });
  }

  /** The oldest entry's bytes, or undefined when empty. */
  shift(): Uint8Array | undefined {
    if (this.head >= this.entries.length) return undefined;
    const e = this.entries[this.head]!;
    this.entries[this.head++] = undefined;
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
    this.bytes -= e.bytes.length;
    if (e.saUid === undefined) this.fixedBytes -= e.bytes.length;
    else if (this.sa.get(e.saUid) === e) this.sa.delete(e.saUid);
    return e.bytes;
  }

  private append(e: Entry): void {
    this.entries.push(e);
    this.bytes += e.bytes.length;
  }
}

interface Entry {
  bytes: Uint8Array;
  /** set for an SA entry (conflatable); undefined for an entry that keeps its order */
  saUid: string | undefined;
}
