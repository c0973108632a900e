import type tls from 'node:tls';
import type { JWK } from 'jose';
import type { BatchRef } from './receive.js';
import type { WatchedConn } from './link-watchdog.js';
import type { Envelope } from './wire.js';

/** Tuning of one peer link (from the federation's limits). */
export interface LinkOptions {
  batch: number;
  window: number;
  maxOutbox: number;
  backoffMin: number;
  backoffMax: number;
  /** see FedDeps.stallMs */
  stallMs: number;
  /** this side dials the peer (the other waits for our connection) */
  dialer: boolean;
}

/** One live TLS connection of a link and its handshake state; replaced on every reconnect. */
export interface Conn extends WatchedConn {
  sock: tls.TLSSocket;
  helloFromPeer: boolean;
  helloAcked: boolean;
  peerKey?: JWK;
  /** protocol version chosen for this connection (highest common), set on the peer's Hello */
  version: number;
  /** version the peer chose in its HelloAck (what it will accept from us) */
  ackVersion: number;
  /** inbound envelopes waiting for the receive loop, with the batch binding in force when they arrived */
  inbox: { env: Envelope; batch: BatchRef | undefined }[];
  /** the last BatchBinding received (v3) */
  batch: BatchRef | undefined;
  receiving: Promise<void> | undefined;
}
