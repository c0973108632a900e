import { createHash } from 'node:crypto';
import { KizunaError } from '../util/errors.js';
import type { AuditDraft, AuditRow, Store } from '../store/types.js';
import { canonicalJson } from '../util/canonical-json.js';

export const GENESIS_HASH = '0'.repeat(64);

export type AuditProblem = 'modified' | 'deleted' | 'reordered' | 'broken-link';
export type AuditVerdict = { ok: true; count: number; head?: { seq: number; hash: string } } | { ok: false; seq: number; problem: AuditProblem };

/** A head of some chain as recorded by a peer (countersignature) or kept elsewhere. */
export interface AuditAnchor {
  seq: number;
  hash: string;
}

/**
 * sha256 over the canonical JSON array [prevHash, ts, kind, actor, body] (body is itself canonical JSON).
 * The hash covers the previous hash and the content, not the seq: order is carried by the chain itself,
 * so swapped rows show up as links pointing at the wrong neighbour ("reordered") rather than as an
 * unexplained content change. A fixed-position array is canonical without sorting keys (and cheaper).
 */
export function rowHash(r: { prevHash: string; ts: string; kind: string; actor: string; body: string }): string {
  return createHash('sha256').update(JSON.stringify([r.prevHash, r.ts, r.kind, r.actor, r.body])).digest('hex');
}

/** Chains a draft after `prev` (genesis when undefined). Pure; used inside store.commit. */
export function chainAudit(prev: AuditRow | undefined, draft: AuditDraft): AuditRow {
  const body = canonicalJson(draft.body ?? null);
  const prevHash = prev?.hash ?? GENESIS_HASH;
  const row = { seq: (prev?.seq ?? 0) + 1, ts: draft.ts, kind: draft.kind, actor: draft.actor, body, prevHash };
  return { ...row, hash: rowHash(row) };
}

type Found = { seq: number; problem: AuditProblem };
/** A link that points elsewhere: classified once we know where (if anywhere) its predecessor is. */
export interface BrokenLink {
  row: AuditRow;
  index: number;
  expectedSeq: number;
}

/** `at` = position (0-based, seq order) of the row whose hash the broken row names as predecessor. */
export function classifyBrokenLink(b: BrokenLink, at: number | undefined): Found {
  // The predecessor exists but further down: rows were swapped or moved.
  if (at !== undefined && at > b.index) return { seq: b.row.seq, problem: 'reordered' };
  if (at !== undefined) return { seq: b.row.seq, problem: 'broken-link' };
  // The predecessor is gone: a gap in seq names the first missing entry.
  if (b.row.seq > b.expectedSeq) return { seq: b.expectedSeq, problem: 'deleted' };
  // Gone without a gap: rows were renumbered, or the predecessor was rewritten with a fresh hash.
  return { seq: b.row.seq, problem: 'broken-link' };
}

/** Streaming verifier: feed rows in stored (seq) order; O(1) state. */
export class ChainVerifier {
  private prev: AuditRow | undefined;
  private index = 0;
  count = 0;
  constructor(private readonly start: { seq: number; prevHash: string } = { seq: 1, prevHash: GENESIS_HASH }) {}

  get head(): AuditRow | undefined {
    return this.prev;
  }

  push(row: AuditRow): Found | BrokenLink | undefined {
    const index = this.index++;
    const expectedSeq = this.prev ? this.prev.seq + 1 : this.start.seq;
    const expectedPrev = this.prev ? this.prev.hash : this.start.prevHash;
    if (rowHash(row) !== row.hash) return { seq: row.seq, problem: 'modified' };
    if (row.prevHash !== expectedPrev) return { row, index, expectedSeq };
    // Correct link but wrong position number: the seq column itself was edited.
    if (row.seq !== expectedSeq) return { seq: row.seq, problem: 'modified' };
    this.prev = row;
    this.count += 1;
    return undefined;
  }
}

function isBroken(x: Found | BrokenLink): x is BrokenLink {
  return 'row' in x;
}

/**
 * Verifies a complete chain (from seq 1) held in memory. `anchors` are heads of this chain recorded by
 * peers (countersignatures): they reveal a truncated tail that the chain alone cannot show.
 */
export function verifyAuditRows(rows: AuditRow[], anchors: AuditAnchor[] = []): AuditVerdict {
  const v = new ChainVerifier();
  for (const row of rows) {
    const p = v.push(row);
    if (!p) continue;
    if (!isBroken(p)) return { ok: false, ...p };
    const at = rows.findIndex((r) => r.hash === p.row.prevHash);
    return { ok: false, ...classifyBrokenLink(p, at < 0 ? undefined : at) };
  }
  const bad = checkAnchors(anchors, (seq) => rows[seq - 1]);
  if (bad) return bad;
  return v.head ? { ok: true, count: v.count, head: { seq: v.head.seq, hash: v.head.hash } } : { ok: true, count: 0 };
}

function checkAnchors(
  anchors: AuditAnchor[],
  rowAt: (seq: number) => AuditRow | undefined,
): { ok: false; seq: number; problem: AuditProblem } | undefined {
  for (const a of [...anchors].sort((x, y) => x.seq - y.seq)) {
    const r = rowAt(a.seq);
    if (!r) return { ok: false, seq: a.seq, problem: 'deleted' };
    if (r.hash !== a.hash) return { ok: false, seq: a.seq, problem: 'modified' };
  }
  return undefined;
}

export interface AuditLog {
  readonly nodeId: string;
  /** Appends one entry in its own transaction. */
  append(kind: string, actor: string, body: unknown): Promise<AuditRow>;
  /** An entry to pass to store.commit({audit, chain: chainAudit}) together with document writes. */
  draft(kind: string, actor: string, body: unknown): AuditDraft;
  head(): Promise<AuditRow | undefined>;
  /** Streams the whole chain from the store (pages of `pageSize`), checking anchors when given. */
  verify(opts?: { anchors?: AuditAnchor[]; pageSize?: number }): Promise<AuditVerdict>;
  /** Records a peer's chain head in our own chain: the peer can no longer rewrite what it had. */
  countersign(peerNode: string, peerHead: AuditAnchor): Promise<void>;
  /** Peer heads we countersigned (newest last), read from our chain. */
  countersigned(peerNode: string): Promise<AuditAnchor[]>;
}

export const COUNTERSIGN_KIND = 'audit.countersign';

export function createAuditLog(store: Store, o: { nodeId: string; now?: () => number }): AuditLog {
  const now = o.now ?? Date.now;
  const draft = (kind: string, actor: string, body: unknown): AuditDraft => ({
    ts: new Date(now()).toISOString(),
    kind,
    actor,
    body: body ?? null,
  });

  async function rowAt(seq: number): Promise<AuditRow | undefined> {
    const [r] = await store.auditRange(seq, 1);
    return r && r.seq === seq ? r : undefined;
  }

  async function verify(opts: { anchors?: AuditAnchor[]; pageSize?: number } = {}): Promise<AuditVerdict> {
    const pageSize = opts.pageSize ?? 10_000;
    const v = new ChainVerifier();
    let from = 1;
    let problem: Found | undefined;
    // One pass with O(1) memory; only a broken link costs a second scan (for its predecessor).
    outer: for (;;) {
      const page = await store.auditRange(from, pageSize);
      for (const row of page) {
        const p = v.push(row);
        if (!p) continue;
        problem = isBroken(p) ? classifyBrokenLink(p, await locateHash(p.row.prevHash, pageSize)) : p;
        break outer;
      }
      if (page.length < pageSize) break;
      from = page[page.length - 1]!.seq + 1;
    }
    if (problem) return { ok: false, ...problem };
    const bad = opts.anchors?.length ? await checkAnchorsAsync(opts.anchors) : undefined;
    if (bad) return bad;
    const head = v.head;
    return head ? { ok: true, count: v.count, head: { seq: head.seq, hash: head.hash } } : { ok: true, count: 0 };
  }

  /** Position (0-based, in seq order) of the row whose hash is `hash`. */
  async function locateHash(hash: string, pageSize: number): Promise<number | undefined> {
    let from = 1;
    let position = 0;
    for (;;) {
      const page = await store.auditRange(from, pageSize);
      for (const row of page) {
        if (row.hash === hash) return position;
        position += 1;
      }
      if (page.length < pageSize) return undefined;
      from = page[page.length - 1]!.seq + 1;
    }
  }

  async function checkAnchorsAsync(anchors: AuditAnchor[]) {
    for (const a of [...anchors].sort((x, y) => x.seq - y.seq)) {
      const r = await rowAt(a.seq);
      if (!r) return { ok: false as const, seq: a.seq, problem: 'deleted' as const };
      if (r.hash !== a.hash) return { ok: false as const, seq: a.seq, problem: 'modified' as const };
    }
    return undefined;
  }

  return {
    nodeId: o.nodeId,
    draft,
    async append(kind, actor, body) {
      const { audit } = await store.commit({ audit: [draft(kind, actor, body)], chain: chainAudit });
      return audit[0]!;
    },
    head: () => store.auditHead(),
    verify,
    async countersign(peerNode, peerHead) {
      if (!peerNode || !Number.isSafeInteger(peerHead?.seq) || peerHead.seq < 0 || !/^[0-9a-f]{64}$/.test(peerHead.hash ?? '')) {
        throw new KizunaError('BAD_REQUEST', 'peer head is invalid');
      }
      await store.commit({
        audit: [draft(COUNTERSIGN_KIND, o.nodeId, { peer: peerNode, seq: peerHead.seq, hash: peerHead.hash })],
        chain: chainAudit,
      });
    },
    async countersigned(peerNode) {
      const out: AuditAnchor[] = [];
      let from = 1;
      for (;;) {
        const page = await store.auditRange(from, 10_000);
        for (const r of page) {
          if (r.kind !== COUNTERSIGN_KIND) continue;
          const b = JSON.parse(r.body) as { peer: string; seq: number; hash: string };
          if (b.peer === peerNode) out.push({ seq: b.seq, hash: b.hash });
        }
        if (page.length < 10_000) return out;
        from = page[page.length - 1]!.seq + 1;
      }
    },
  };
}
