import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket } from 'ws';
import { labelDigest } from '../labels/index.js';
import type { Released } from '../labels/released.js';
import type { Audience, Labelled } from '../labels/types.js';
import type { StoredEvent } from '../store/types.js';
import type { Logger } from '../util/log.js';
import type { ServerMessage } from './contract.js';
import type { ApiDeps, SessionUser, TrackChange } from './deps.js';
import { labelViews } from './release.js';
import { publicUser } from './routes/session.js';
import { trackViewOf } from './track-view.js';

export const WS_PATH = '/api/ws';

interface Client {
  ws: WebSocket;
  token: string;
  user: SessionUser;
  group: Group;
  /** before the snapshot is out, live frames wait here (so nothing is lost or reordered) */
  pending: { frame: string; key?: string; released?: Released<unknown> }[] | undefined;
  /** uid → label digest of the tracks this socket currently shows */
  shown: Map<string, string>;
  /** label digest → how many shown/sent items carry it, and one of them (for the high-water mark) */
  labels: Map<string, { n: number; sample: Released<unknown> }>;
  bannerKey: string | undefined;
  /** track frames held back while the browser is behind: latest per uid wins (conflation) */
  conflated?: Map<string, { frame: string; released: Released<unknown> | undefined }>;
  drainTimer?: NodeJS.Timeout;
  /** frames waiting for the next batch (see BATCH_MS) and their size */
  out: string[];
  outBytes: number;
  flushTimer?: NodeJS.Timeout;
  /** what the socket shows changed since the last batch: recompute the banner before sending */
  bannerDue: boolean;
}

/** Above this many unsent bytes a socket gets the latest state per track instead of every update. */
const CONFLATE_ABOVE_BYTES = 256 * 1024;
/**
 * Frames for one socket are gathered for up to this long and sent as one WebSocket message (a JSON
 * array). At 2,000 tracks reporting at 1 Hz that is ~40 messages a second instead of 2,000: fewer
 * send calls on the node, and fewer message events (each with its own dispatch cost) in the browser.
 */
const BATCH_MS = 20;
const BATCH_MAX_BYTES = 64 * 1024;

interface Group {
  key: string;
  audience: Audience;
  clients: Set<Client>;
}

export interface HubStats {
  /** frames serialised (each message once per audience group) */
  encoded: number;
  /** messages handed to sockets (a batch carries several) */
  sent: number;
  /** WebSocket messages written (single messages and batches) */
  batches: number;
  dropped: number;
  /** track frames replaced by a newer state of the same track while the socket was behind */
  conflated: number;
}

/**
 * The WebSocket feed. Sockets are grouped by the guard's audience key: each change is released and
 * serialised once per group, then the same frame goes to every socket of the group. The banner of a
 * socket is the guard's high-water mark of what that socket currently shows.
 */
export class WsHub {
  readonly stats: HubStats = { encoded: 0, sent: 0, batches: 0, dropped: 0, conflated: 0 };
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  private readonly groups = new Map<string, Group>();
  private readonly lv;
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly unsubscribe: () => void;
  private readonly unRevoked: () => void;
  private readonly maxBuffered: number;

  constructor(
    private readonly deps: ApiDeps,
    private readonly log: Logger,
  ) {
    this.lv = labelViews(deps.registry);
    this.maxBuffered = deps.ws?.maxBufferedBytes ?? 8 * 1024 * 1024;
    this.unsubscribe = deps.tracks.subscribe((c) => this.onTrack(c));
    this.timer = setInterval(() => void this.checkSessions(), deps.ws?.sessionCheckMs ?? 15_000);
    this.timer.unref();
    // Logout, token revocation and disabling a user close that user's sockets now; the periodic check
    // remains for expiry (other processes of the node announce their revocations on the bus).
    this.unRevoked = deps.users.onRevoked((r) => void this.checkSessions(r.username));
  }

  get clientCount(): number {
    let n = 0;
    for (const g of this.groups.values()) n += g.clients.size;
    return n;
  }

  /** `upgrade` listener for the node's HTTP server; other paths are left to other listeners. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== WS_PATH) return;
    const token = url.searchParams.get('token') ?? '';
    void this.deps.users
      .authenticate(token)
      .catch(() => undefined)
      .then((user) => {
        if (!user || !token) {
          socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Type: application/json\r\n\r\n{"error":{"code":"UNAUTHENTICATED","message":"authentication required"}}');
          return;
        }
        this.wss.handleUpgrade(req, socket, head, (ws) => void this.accept(ws, token, user));
      });
  }

  private async accept(ws: WebSocket, token: string, user: SessionUser): Promise<void> {
    const { guard } = this.deps;
    const key = guard.audienceKey(user.audience);
    let group = this.groups.get(key);
    if (!group) {
      group = { key, audience: user.audience, clients: new Set() };
      this.groups.set(key, group);
    }
    const client: Client = { ws, token, user, group, pending: [], shown: new Map(), labels: new Map(), bannerKey: undefined, out: [], outBytes: 0, bannerDue: false };
    group.clients.add(client);
    ws.on('close', () => this.remove(client));
    ws.on('error', () => this.remove(client));
    // the browser says nothing we act on; any message is ignored (maxPayload bounds it)
    this.write(client, JSON.stringify({ t: 'hello', node: this.deps.nodeId, nation: this.deps.nation, user: publicUser(user) } satisfies ServerMessage));
    try {
      const events = await this.deps.tracks.latest();
      const released = guard.releaseMany(events.map((e): Labelled<StoredEvent> => ({ label: e.label, value: e })), user.audience, 'ws');
      const tracks = [];
      for (const r of released) {
        const view = this.view(r);
        if (!view) continue;
        tracks.push(view);
        this.note(client, r.value.uid, r);
      }
      this.write(client, JSON.stringify({ t: 'snapshot', tracks } satisfies ServerMessage));
      const queued = client.pending ?? [];
      client.pending = undefined;
      for (const q of queued) this.deliver(client, q.frame, q.key, q.released);
      this.banner(client);
    } catch (err) {
      this.log.error({ code: (err as { code?: string }).code ?? 'INTERNAL' }, 'ws snapshot failed');
      ws.close(1011);
    }
  }

  private view(r: Released<StoredEvent>) {
    try {
      return trackViewOf(r.value, this.lv(r.label));
    } catch {
      // a stored event that no longer parses is skipped, not fatal for the feed
      return undefined;
    }
  }

  private onTrack(c: TrackChange): void {
    const { guard } = this.deps;
    for (const g of this.groups.values()) {
      if (c.kind === 'delete') {
        const frame = JSON.stringify({ t: 'remove', uid: c.uid } satisfies ServerMessage);
        // only sockets that were shown the uid hear of its removal: that tells them nothing new
        for (const cl of g.clients) if (cl.shown.has(c.uid)) this.deliver(cl, frame, c.uid, undefined);
        continue;
      }
      const r = guard.release({ label: c.event.label, value: c.event }, g.audience, 'ws');
      const view = r && this.view(r);
      if (!r || !view) {
        // no longer releasable (e.g. relabelled upwards): withdraw it from sockets that show it
        const frame = JSON.stringify({ t: 'remove', uid: c.event.uid } satisfies ServerMessage);
        for (const cl of g.clients) if (cl.shown.has(c.event.uid)) this.deliver(cl, frame, c.event.uid, undefined);
        continue;
      }
      const frame = JSON.stringify({ t: 'track', track: view } satisfies ServerMessage);
      this.stats.encoded++;
      for (const cl of g.clients) this.deliver(cl, frame, c.event.uid, r);
    }
  }

  /**
   * Sends a labelled coordination object (request, chat, calendar, posture) to every group allowed to see
   * it; `build` turns the released value into the message once per group.
   */
  broadcast<T>(item: Labelled<T>, build: (r: Released<T>) => ServerMessage | undefined): void {
    for (const g of this.groups.values()) {
      const r = this.deps.guard.release(item, g.audience, 'ws');
      if (!r) continue;
      let msg: ServerMessage | undefined;
      try {
        msg = build(r);
      } catch (err) {
        this.log.warn({ code: (err as { code?: string }).code ?? 'INTERNAL' }, 'ws view failed');
      }
      if (!msg) continue;
      const frame = JSON.stringify(msg);
      this.stats.encoded++;
      for (const cl of g.clients) this.deliver(cl, frame, undefined, r);
    }
  }

  /** Label rendering shared with the broadcast builders. */
  labelView(r: Released<unknown>) {
    return this.lv(r.label);
  }

  private deliver(cl: Client, frame: string, uid: string | undefined, r: Released<unknown> | undefined): void {
    if (cl.pending) {
      cl.pending.push(uid === undefined ? { frame, ...(r ? { released: r } : {}) } : { frame, key: uid, ...(r ? { released: r } : {}) });
      return;
    }
    // A browser that falls behind (a busy map on a slow machine) gets each track's latest state when it
    // can take it, instead of a backlog of stale positions or being dropped.
    if (uid !== undefined && (cl.conflated || cl.ws.bufferedAmount + cl.outBytes > CONFLATE_ABOVE_BYTES)) {
      const m = (cl.conflated ??= new Map());
      m.delete(uid);
      m.set(uid, { frame, released: r });
      this.stats.conflated++;
      this.scheduleDrain(cl);
      return;
    }
    this.sendNow(cl, frame, uid, r);
  }

  private sendNow(cl: Client, frame: string, uid: string | undefined, r: Released<unknown> | undefined): void {
    if (!this.write(cl, frame)) return;
    if (uid !== undefined && !r) this.forget(cl, uid);
    else if (r) this.note(cl, uid, r);
    // once per batch, not per frame: the high-water mark goes out at the end of the message carrying
    // the frames that raised it (or, when that batch filled up and left early, ≤ BATCH_MS later)
    cl.bannerDue = true;
    this.schedule(cl);
  }

  private schedule(cl: Client): void {
    cl.flushTimer ??= setTimeout(() => this.flush(cl), BATCH_MS);
  }

  private scheduleDrain(cl: Client): void {
    if (cl.drainTimer) return;
    cl.drainTimer = setTimeout(() => {
      cl.drainTimer = undefined;
      const m = cl.conflated;
      if (!m || cl.ws.readyState !== WebSocket.OPEN) return;
      for (const [uid, e] of m) {
        if (cl.ws.bufferedAmount + cl.outBytes > CONFLATE_ABOVE_BYTES) break;
        m.delete(uid);
        this.sendNow(cl, e.frame, uid, e.released);
      }
      if (m.size) this.scheduleDrain(cl);
      else cl.conflated = undefined;
    }, 50);
  }

  /** Records what the socket now shows (uid-keyed for tracks; other objects count once per send). */
  private note(cl: Client, uid: string | undefined, r: Released<unknown>): void {
    const key = labelDigest(r.label);
    if (uid !== undefined) {
      const prev = cl.shown.get(uid);
      if (prev === key) return;
      if (prev !== undefined) this.dec(cl, prev);
      cl.shown.set(uid, key);
    }
    const e = cl.labels.get(key);
    if (e) e.n++;
    else cl.labels.set(key, { n: 1, sample: r });
  }

  private forget(cl: Client, uid: string): void {
    const prev = cl.shown.get(uid);
    if (prev === undefined) return;
    cl.shown.delete(uid);
    this.dec(cl, prev);
  }

  private dec(cl: Client, key: string): void {
    const e = cl.labels.get(key);
    if (e && --e.n <= 0) cl.labels.delete(key);
  }

  /** t:'banner' whenever the high-water mark of what this socket shows changes. */
  private banner(cl: Client): void {
    if (cl.labels.size === 0) return;
    const hw = this.deps.guard.highWater([...cl.labels.values()].map((e) => e.sample));
    if (!hw) return;
    const key = labelDigest(hw);
    if (key === cl.bannerKey) return;
    cl.bannerKey = key;
    this.write(cl, JSON.stringify({ t: 'banner', label: this.lv(hw) } satisfies ServerMessage));
  }

  /** Queues one frame for the socket's next batch; a socket that cannot keep up is dropped rather than buffered without bound. */
  private write(cl: Client, frame: string): boolean {
    if (cl.ws.readyState !== WebSocket.OPEN) return false;
    if (cl.ws.bufferedAmount + cl.outBytes + frame.length > this.maxBuffered) {
      this.stats.dropped++;
      this.log.warn({ user: cl.user.username }, 'ws client too slow: dropped');
      cl.ws.terminate();
      this.remove(cl);
      return false;
    }
    cl.out.push(frame);
    cl.outBytes += frame.length;
    this.stats.sent++;
    if (cl.outBytes >= BATCH_MAX_BYTES) this.flush(cl);
    else this.schedule(cl);
    return true;
  }

  /** Sends the queued frames: one frame as itself, several as one JSON array, in order. */
  private flush(cl: Client): void {
    if (cl.flushTimer) clearTimeout(cl.flushTimer);
    cl.flushTimer = undefined;
    if (cl.bannerDue) {
      cl.bannerDue = false;
      this.banner(cl);
      if (cl.flushTimer) clearTimeout(cl.flushTimer);
      cl.flushTimer = undefined;
    }
    const out = cl.out;
    if (out.length === 0) return;
    cl.out = [];
    cl.outBytes = 0;
    if (cl.ws.readyState !== WebSocket.OPEN) return;
    cl.ws.send(out.length === 1 ? out[0]! : `[${out.join(',')}]`);
    this.stats.batches++;
  }

  private remove(cl: Client): void {
    if (cl.drainTimer) clearTimeout(cl.drainTimer);
    if (cl.flushTimer) clearTimeout(cl.flushTimer);
    cl.flushTimer = undefined;
    cl.out = [];
    cl.outBytes = 0;
    cl.conflated = undefined;
    const g = cl.group;
    g.clients.delete(cl);
    if (g.clients.size === 0 && this.groups.get(g.key) === g) this.groups.delete(g.key);
  }

  /** Expired or revoked sessions (of one user, or of all) get {t:'expired'} and are closed. */
  async checkSessions(username?: string): Promise<void> {
    const all = [...this.groups.values()].flatMap((g) => [...g.clients]).filter((cl) => username === undefined || cl.user.username === username);
    for (const cl of all) {
      const u = await this.deps.users.authenticate(cl.token).catch(() => undefined);
      if (u) continue;
      this.write(cl, JSON.stringify({ t: 'expired' } satisfies ServerMessage));
      this.flush(cl);
      cl.ws.close(4001, 'session expired');
      this.remove(cl);
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.unsubscribe();
    this.unRevoked();
    for (const g of this.groups.values()) for (const cl of g.clients) cl.ws.terminate();
    this.groups.clear();
    this.wss.close();
  }
}
