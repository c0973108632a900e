/**
 * One running feed: transport → per-feed rate limit → decoder → track table (merge, conflate) → the
 * node's publish. Counters for operations; nothing a sender can send stops the feed or the node.
 */
import type { SecurityLabel } from '../labels/types.js';
import { decodeAis, type AisMessage } from './ais.js';
import { EMERGENCY_SQUAWKS, parseAircraftJson, parseSbsLine, type AircraftReport } from './adsb.js';
import { aircraftUid, squawkAlertCot, vesselUid, type AircraftState, type MapOptions, type VesselState } from './cot-map.js';
import type { FeedConfig } from './config.js';
import { MultipartAssembler, parseAisSentence } from './nmea.js';
import { TokenBucket } from './rate.js';
import { ConflatingTable } from './track-table.js';
import { hash32 } from './history.js';
import { TrackWriter, type KeepLast, type Publish, type TrackEntry as Entry } from './track-writer.js';
import { openTransport, type Transport, type TransportSink } from './transports.js';
import type { FeedStatus } from '../vocab/index.js';

export type { FeedStatus };
export type { FeedWrites, KeepLast, Publish } from './track-writer.js';

/** emergency alerts raised per feed: real emergencies are rare; more than this is a fault or an attack */
const ALERT_RATE_PER_S = 1;
const ALERT_BURST = 20;
/** an aircraft.json whose own clock stands still this long is reported as not updated */
const FROZEN_AFTER_MS = 15_000;

/**
 * The same AIS payload from the same vessel again within this time is one radio message heard by another
 * receiver (an aggregated network delivers it 2–3 times, milliseconds to a second apart), not a new report:
 * applied again it would be a second, identical track update one conflation interval later. A real report
 * of a vessel differs from its last one (its time stamp and radio state fields change) and comes ≥ 2 s later.
 */
const DUPLICATE_WINDOW_MS = 1000;

export class Feed {
  private transport: Transport | undefined;
  private readonly table: ConflatingTable<Entry>;
  private readonly bucket: TokenBucket;
  private readonly asm = new MultipartAssembler();
  private readonly writer: TrackWriter;
  /** the conflation clock (Date.now, or a replayed stream's own time) */
  private readonly clock: () => number;
  /** AIS payloads dropped as another receiver's copy of one already applied */
  private duplicates = 0;
  private readonly map: MapOptions;
  private connected = false;
  private error: string | undefined;
  private messages = 0;
  private decodeErrors = 0;
  private rateLimited = 0;
  private alerts = 0;
  private lastMessageAt = 0;
  private rate = 0;
  private rateMark = { at: Date.now(), messages: 0 };
  private timer: NodeJS.Timeout | undefined;
  /** aircraft.json's own clock (`now`) and when it last changed: a file dump1090 no longer writes keeps its clock */
  private docClock: { now: number; since: number } | undefined;
  /** aircraft uid → the emergency squawk whose alert is raised (to send the cancel when it clears) */
  private readonly alerting = new Map<string, string>();
  /** alerts go to every client at once, unconflated: a flood of squawking ids must not become a flood of alerts */
  private readonly alertBucket = new TokenBucket(ALERT_RATE_PER_S, ALERT_BURST);
  private alertsSuppressed = 0;

  constructor(
    readonly config: FeedConfig,
    private readonly label: SecurityLabel,
    private readonly publish: Publish,
    /** `now`: the conflation clock (a recorded stream replayed on its own time; benchmarks) */
    opts: { now?: () => number; keepLast?: KeepLast } = {},
  ) {
    this.map = { affiliation: config.affiliation, staleMs: config.staleMs, ...(config.types ? { types: config.types } : {}) };
    this.bucket = new TokenBucket(config.maxMessagesPerSecond, config.maxMessagesPerSecond);
    this.clock = opts.now ?? Date.now;
    this.table = new ConflatingTable<Entry>(
      { minIntervalMs: config.minIntervalMs, staleMs: config.staleMs, maxTracks: config.maxTracks, maxPublishPerSecond: config.maxPublishPerSecond, ...(opts.now ? { now: opts.now } : {}) },
      (batch) => this.writer.send(batch.map((b) => b.state)),
    );
    this.writer = new TrackWriter({ config, label, publish, clock: this.clock, map: this.map, table: this.table, ...(opts.keepLast ? { keepLast: opts.keepLast } : {}) });
  }

  async start(): Promise<void> {
    const sink: TransportSink = {
      bad: () => void this.decodeErrors++,
      state: (connected, error) => {
        this.connected = connected;
        this.error = connected ? undefined : error;
      },
    };
    if (this.config.kind === 'aircraft-json') sink.document = (d) => this.onDocument(d);
    else sink.line = this.config.kind === 'ais' ? (l, source) => this.onAisLine(l, source) : (l) => this.onSbsLine(l);
    this.transport = openTransport(this.config, sink);
    this.timer = setInterval(() => this.tick(), 1000);
    this.timer.unref();
    await this.transport.start();
  }

  private admit(): boolean {
    if (this.bucket.take()) {
      this.messages++;
      this.lastMessageAt = Date.now();
      return true;
    }
    this.rateLimited++;
    return false;
  }

  /** One NMEA line (public for replay tools and benchmarks); `source`: the sender, multi-part messages are joined per sender. */
  onAisLine(line: string, source?: string): void {
    if (!this.admit()) return;
    const s = parseAisSentence(line);
    if (!s.ok) {
      if (s.reason !== 'not-ais') this.decodeErrors++;
      return;
    }
    const payload = this.asm.push(s.sentence, source);
    if (!payload) return;
    const r = decodeAis(payload);
    if (!r.ok) {
      this.decodeErrors++;
      return;
    }
    if (r.message) this.applyAis(r.message, payload.payload);
  }

  private applyAis(m: AisMessage, payload: string): void {
    const uid = vesselUid(m.mmsi);
    const at = this.clock();
    const heard = hash32(payload);
    const prev = this.table.get(uid);
    // (a different report with the same hash within the window, 2^-32, would be dropped as a copy)
    if (prev?.heard === heard && at - prev.heardAt! < DUPLICATE_WINDOW_MS) {
      this.duplicates++;
      return;
    }
    const applied = this.table.update(
      uid,
      (prev) => {
        const v: VesselState = prev?.kind === 'vessel' ? prev.v : { mmsi: m.mmsi };
        // static data names a vessel without placing it: it renews neither the track nor its stale time
        // plain assignments, not object literals merged in: this runs for every sentence
        if (m.kind === 'static') {
          copyDefined(v, m, STATIC_FIELDS);
        } else if (m.kind === 'aton') {
          v.name = m.name;
          v.dims = m.dims;
          v.aton = { aidType: m.aidType, virtual: m.virtual, offPosition: m.offPosition };
          setPosition(v, m);
        } else {
          setPosition(v, m);
          v.speedKt = m.speed;
          v.course = m.course;
          v.heading = m.heading;
          copyDefined(v, m, POSITION_STATIC_FIELDS);
        }
        return prev?.kind === 'vessel' ? prev : { kind: 'vessel', v };
      },
      (e) => e.kind === 'vessel' && e.v.lat !== undefined,
      // only a report that places the vessel renews it ("position not available" and static data do not)
      m.kind !== 'static' && m.lat !== undefined && m.lon !== undefined,
    );
    const entry = applied ? this.table.get(uid) : undefined;
    if (entry) {
      entry.heard = heard;
      entry.heardAt = at;
    }
  }

  onSbsLine(line: string): void {
    if (!this.admit()) return;
    const r = parseSbsLine(line);
    if (!r.ok) {
      this.decodeErrors++;
      return;
    }
    if (r.report) this.applyAircraft(r.report);
  }

  onDocument(doc: unknown): void {
    const clock = (doc as { now?: unknown } | null)?.now;
    if (typeof clock === 'number') {
      // the same snapshot again carries nothing new; applying it would keep its aircraft alive forever
      if (clock === this.docClock?.now) return;
      this.docClock = { now: clock, since: Date.now() };
    }
    if (!this.admit()) return;
    const r = parseAircraftJson(doc, 60, this.config.maxTracks);
    this.decodeErrors += r.errors;
    for (const rep of r.reports) this.applyAircraft(rep);
  }

  private applyAircraft(rep: AircraftReport): void {
    const uid = aircraftUid(rep.icao);
    const accepted = this.table.update(
      uid,
      (prev) => {
        const a: AircraftState = prev?.kind === 'aircraft' ? prev.a : { icao: rep.icao };
        Object.assign(a, rep);
        if (rep.lat !== undefined) a.positionAt = Date.now();
        // the same entry object: it carries the track's history mark
        return prev?.kind === 'aircraft' ? prev : { kind: 'aircraft', a };
      },
      (e) => e.kind === 'aircraft' && e.a.lat !== undefined,
      // identity, velocity or squawk alone do not keep an aircraft alive: only a position does
      rep.lat !== undefined,
    );
    if (accepted) this.checkSquawk(uid);
  }

  /**
   * An emergency squawk raises an alert at once (not conflated); clearing it sends the cancel. Over the alert
   * rate the raise is held back (counted) and tried again on the aircraft's next report; its track says
   * the squawk meanwhile.
   */
  private checkSquawk(uid: string): void {
    const e = this.table.get(uid);
    if (e?.kind !== 'aircraft' || e.a.lat === undefined) return;
    const squawk = e.a.squawk;
    const raised = this.alerting.get(uid);
    if (squawk !== undefined && EMERGENCY_SQUAWKS[squawk] !== undefined) {
      if (raised === squawk) return;
      if (!this.alertBucket.take()) {
        this.alertsSuppressed++;
        return;
      }
      this.alerting.set(uid, squawk);
      this.alerts++;
      this.sendAlert(e.a, false);
    } else if (raised !== undefined) {
      this.alerting.delete(uid);
      this.sendAlert(e.a, true);
    }
  }

  private sendAlert(a: AircraftState, cancel: boolean): void {
    const ev = squawkAlertCot(a, { ...this.map, staleMs: Math.max(this.map.staleMs, 600_000) }, Date.now(), cancel);
    if (!ev) return;
    this.publish([ev], this.label, this.config.id).then(
      (refused) => void (this.table.publishErrors += refused || 0),
      () => void this.table.publishErrors++,
    );
  }

  /**
   * Once a second on the feed's own timer: the message rate, forgetting silent tracks, writing live updates
   * whose store interval is over. Public for benchmarks and tests that replay a stream on its own clock.
   */
  tick(): void {
    const now = Date.now();
    const dt = (now - this.rateMark.at) / 1000;
    if (dt > 0) this.rate = Math.round(((this.messages - this.rateMark.messages) / dt) * 10) / 10;
    this.rateMark = { at: now, messages: this.messages };
    this.writer.tick();
    // an aircraft forgotten while squawking an emergency leaves no alert state behind
    for (const uid of this.alerting.keys()) if (this.table.get(uid) === undefined) this.alerting.delete(uid);
  }

  /** An aircraft.json whose clock has not moved for a while: dump1090 stopped and left its last file (or URL) behind. */
  private frozenFor(): number | undefined {
    if (this.config.kind !== 'aircraft-json' || !this.docClock || !this.connected) return undefined;
    // dump1090 and readsb rewrite it every second or so; a few polls' grace covers slower writers
    const ms = Date.now() - this.docClock.since;
    return ms > Math.max(FROZEN_AFTER_MS, 3 * this.config.pollMs) ? ms : undefined;
  }

  status(): FeedStatus {
    const frozen = this.frozenFor();
    const error = frozen !== undefined ? `aircraft.json not updated for ${Math.round(frozen / 1000)} s (its "now" does not change)` : this.error;
    return {
      id: this.config.id,
      kind: this.config.kind,
      transport: this.config.transport,
      enabled: this.config.enabled,
      connected: this.connected && frozen === undefined,
      ...(error ? { error } : {}),
      ...(this.transport?.port !== undefined ? { port: this.transport.port } : {}),
      messages: this.messages,
      messagesPerSecond: this.rate,
      decodeErrors: this.decodeErrors,
      rateLimited: this.rateLimited,
      lastMessageAt: this.lastMessageAt ? new Date(this.lastMessageAt).toISOString() : null,
      tracks: this.table.size,
      tracksRefused: this.table.refused,
      ...(this.transport?.refused !== undefined ? { connectionsRefused: this.transport.refused } : {}),
      published: this.table.published,
      publishErrors: this.table.publishErrors,
      alerts: this.alerts,
      alertsSuppressed: this.alertsSuppressed,
      duplicates: this.duplicates,
      written: this.writer.written,
      liveOnly: this.writer.liveOnly,
    };
  }

  /** true when no track update is waiting to be handed to the node */
  get idle(): boolean {
    return this.table.idle && this.writer.idle;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.table.close();
    await this.transport?.close();
    await this.writer.close();
  }
}

function setPosition(v: VesselState, m: { lat?: number; lon?: number }): void {
  if (m.lat !== undefined && m.lon !== undefined) {
    v.lat = m.lat;
    v.lon = m.lon;
    v.positionAt = Date.now();
  }
}

const STATIC_FIELDS = ['name', 'callsign', 'imo', 'shipType', 'dims', 'destination', 'draught', 'mothership'] as const;
const POSITION_STATIC_FIELDS = ['name', 'shipType', 'dims'] as const;

/** the fields of `keys` that `from` has (not undefined) onto `to` */
function copyDefined<F extends object, K extends keyof F & keyof VesselState>(to: VesselState, from: F, keys: readonly K[]): void {
  for (const k of keys) {
    const x = from[k];
    if (x !== undefined) (to as Record<K, unknown>)[k] = x;
  }
}
