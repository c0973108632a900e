/**
 * The bus joins the processes of one national node: in-process (embedded default) or NATS JetStream
 * (scale-out). Payloads are opaque bytes; subjects are `kizuna.<node>.<topic>` with tokens encoded by
 * `encodeToken` (TAK uids contain characters NATS subjects reject).
 */
export interface Subscription {
  unsubscribe(): void;
  /**
   * Resolves once the subscription is live (NATS: its consumer exists on the server); messages
   * published after that are delivered. Rejects with BUS_FAILED if it could not be set up.
   */
  ready?: Promise<void>;
}

export interface Bus {
  readonly kind: 'memory' | 'nats';
  /** Publish; resolves when the bus has accepted it (JetStream ack for NATS). */
  publish(subject: string, data: Uint8Array): Promise<void>;
  /**
   * How many live subscriptions, of any bus instance, a message on `subject` would reach now. Only a bus
   * that sees every listener can answer (the in-process bus); absent on a shared bus, where other
   * processes may listen at any time. Lets a publisher skip encoding a message nobody else would read.
   */
  listeners?(subject: string): number;
  /** Live subscription from now on; handler errors are caught and logged by the adapter. */
  subscribe(subject: string, handler: (data: Uint8Array, subject: string) => void): Subscription;
  /** A lease (one owner per federation link); true when this holder owns `name` for ttlMs. */
  acquireLease(name: string, holder: string, ttlMs: number): Promise<boolean>;
  releaseLease(name: string, holder: string): Promise<void>;
  close(): Promise<void>;
}
