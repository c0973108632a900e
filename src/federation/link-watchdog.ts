/**
 * Stall detection for one federation connection. A stalled path (a middlebox that holds bytes, a peer
 * process that stopped reading) keeps the TCP connection open, so no error or close ever arrives: the
 * link must notice by itself. It counts as stalled when it owes us something (the handshake, or acks for
 * frames in flight) and nothing at all has come from the peer for `stallMs`. An idle link owes nothing
 * and is left alone (TCP keep-alive finds a vanished host).
 */
export interface WatchedConn {
  /** ms since epoch when the connection was attached */
  readonly attachedAt: number;
  /** ms since epoch of the last bytes from the peer */
  lastHeardAt: number;
}

export class LinkWatchdog {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly stallMs: number,
    /** the connection being watched and what it owes: undefined = nothing to watch */
    private readonly current: () => { conn: WatchedConn; owed: boolean } | undefined,
    private readonly onStall: (why: string) => void,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.check(), Math.max(10, Math.floor(this.stallMs / 3)));
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private check(): void {
    const c = this.current();
    if (!c || !c.owed) return;
    const silentFor = Date.now() - Math.max(c.conn.attachedAt, c.conn.lastHeardAt);
    if (silentFor >= this.stallMs) this.onStall(`nothing from the peer for ${silentFor} ms with work outstanding`);
  }
}
