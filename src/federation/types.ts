import type { JWK } from 'jose';
import type { Bus } from '../bus/types.js';
import type { ReleaseGuard } from '../labels/guard-types.js';
import type { PolicyRegistry } from '../labels/index.js';
import type { SecurityLabel } from '../labels/types.js';
import type { Doc, Store, StoredEvent } from '../store/types.js';
import type { Logger } from '../util/log.js';
import type { FileChunkMeta } from './file-chunk.js';

export type { JWK };

/** What crosses a federation link: a CoT event or a coordination document, with its originator label inside. */
export type FedObject =
  /** `originVerified` is set by the receiver's boundary check when the object was relayed by a node other
   * than its origin and the originator's binding verified: the owner released it to this nation. */
  | { kind: 'cot'; origin: string; id: string; event: StoredEvent; originVerified?: { node: string; nation: string } }
  | { kind: 'doc'; origin: string; id: string; doc: Doc; originVerified?: { node: string; nation: string } }
  /** one chunk of a labelled file (see file-chunk.ts); `received` is set by the receiver's boundary check:
   * the label in ITS policy, verified against the binding */
  | { kind: 'file-chunk'; origin: string; id: string; chunk: FileChunkMeta; data: Uint8Array; received?: SecurityLabel };

export interface FedPeer {
  /** the peer's node id (must match its certificate: urn:kizuna:node:<id> or CN) */
  name: string;
  /** the peer's nation; its certificate must say the same */
  nation: string;
  host: string;
  port: number;
  /** the only CA trusted for this peer */
  caPem: string;
  /** pinned binding key; when absent the key from the peer's Hello is used (the link is mutually authenticated) */
  publicJwk?: JWK;
}

export interface FedDeps {
  nodeId: string;
  nation: string;
  registry: PolicyRegistry;
  guard: ReleaseGuard;
  store: Store;
  /** when given, only the holder of lease `fed-link:<peer>` runs that link (several processes per node) */
  bus?: Bus;
  /** this node's certificate (client + server auth) */
  tls: { certPem: string; keyPem: string };
  peers: FedPeer[];
  /** port 0 allowed; undefined = dial only */
  listen?: { host: string; port: number };
  binding: { privateJwk: JWK; publicJwk: JWK };
  /** Binding keys of nodes this node is not linked to, whose tracks may arrive relayed by a peer (the
   * relay is accepted only with the originator's verified binding). Pinned peer keys count too. */
  originators?: { name: string; nation: string; publicJwk: JWK }[];
  audit(kind: string, actor: string, body: unknown): Promise<void>;
  /** The node stores and fans out; must be idempotent by origin+id. Throw to reject (audited, acked, not retried
   * when the error is a KizunaError with a 4xx status; otherwise the link drops and the sender resends). */
  accept(obj: FedObject, from: { peer: string; nation: string }): Promise<void>;
  limits?: {
    /** per-peer outbox bound (items); default 1,000,000 */
    maxOutbox?: number;
    /** items read from the outbox per send round; default 256 */
    batch?: number;
    /** unacknowledged frames in flight; default 1024 */
    window?: number;
  };
  /** This node's audit chain head, announced to peers (protocol v2) after each handshake, every
   * `auditHeadEveryMs` (default 60 s) and on `announceAuditHead()`. */
  auditHead?: () => Promise<AuditHead | undefined>;
  auditHeadEveryMs?: number;
  /** A peer's announced audit head (only when it changed since the last one on this link): countersign it. */
  onPeerAuditHead?: (from: { peer: string; nation: string }, head: AuditHead) => Promise<void>;
  /** reconnect backoff bounds (ms); defaults 200..10,000 */
  backoff?: { minMs?: number; maxMs?: number };
  /** a link that owes us a handshake or acks and has heard nothing from the peer for this long is
   * dropped and redialled (a stalled path never closes by itself); default 30,000 */
  stallMs?: number;
  log?: Logger;
}

export interface AuditHead {
  seq: number;
  /** 64 lowercase hex */
  hash: string;
}

export type LinkState = 'connected' | 'connecting' | 'down';

export interface PeerStatus {
  peer: string;
  nation: string;
  state: LinkState;
  outboxDepth: number;
  lastAckSeq: number;
  /** ms since epoch, undefined before the first ack */
  lastAckAt?: number;
  sent: number;
  received: number;
  rejected: number;
  outboxFull: boolean;
  /** objects not enqueued for this peer because its outbox was full */
  droppedWhileFull: number;
  /** this process holds the link (always true without a bus) */
  leaseHeld: boolean;
}

export interface Federation {
  start(): Promise<{ port?: number }>;
  /** Offers an object to every peer except `cameFrom` and the origin (only to `only` when given); the guard
   * decides per peer. Resolves to the peers it was enqueued for (not withheld, outbox not full). */
  offer(obj: FedObject, cameFrom?: string, only?: string): Promise<string[]>;
  status(): PeerStatus[];
  /** Sends this node's audit head to every connected peer now; resolves to the peers it was sent to. */
  announceAuditHead(): Promise<string[]>;
  close(): Promise<void>;
}
