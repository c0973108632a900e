/**
 * One running feed: transport → per-feed rate limit → decoder → track table (merge, conflate) → the
 * node's publish. Counters for operations; nothing a sender can send stops the feed or the node.
 */
import type { CotEvent } from '../cot/model.js';
import type { SecurityLabel } from '../labels/types.js';
import { decodeAis, type AisMessage } from './ais.js';
import { EMERGENCY_SQUAWKS, parseAircraftJson, parseSbsLine, type AircraftReport } from './adsb.js';
import { aircraftCot, aircraftUid, squawkAlertCot, vesselCot, vesselUid, type AircraftState, type MapOptions, type VesselState } from './cot-map.js';
import type { FeedConfig } from './config.js';
import { MultipartAssembler, parseAisSentence } from './nmea.js';
import { TokenBucket } from './rate.js';
import { ConflatingTable } from './track-table.js';
import { openTransport, type Transport, type TransportSink } from './transports.js';

/**
 * Hands a batch of track updates (one per track at most) to the node's ingest, all with the feed's label;
 * answers how many the write authority refused (counted as publish errors).
 */
export type Publish = (events: CotEvent[], label: SecurityLabel, feedId: string) => Promise<number | void>;

import type { FeedStatus } from '../vocab/index.js';

export type { FeedStatus };

type Entry = { kind: 'vessel'; v: VesselState } | { kind: 'aircraft'; a: AircraftState };

export class Feed {
  private transport: Transport | undefined;
  private readonly table: ConflatingTable<Entry>;
  private readonly bucket: TokenBucket;
  private readonly asm = new MultipartAssembler();
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
  /** aircraft whose emergency alert is raised (to send the cancel when it clears) */
  private readonly alerting = new Set<string>();

  constructor(
    readonly config: FeedConfig,
    private readonly label: SecurityLabel,
    private readonly publish: Publish,
    /** `now`: the conflation clock (a recorded stream replayed on its own time; benchmarks) */
    opts: { now?: () => number } = {},
  ) {
    this.map = { affiliation: config.affiliation, staleMs: config.staleMs, ...(config.types ? { types: config.types } : {}) };
    this.bucket = new TokenBucket(config.maxMessagesPerSecond, config.maxMessagesPerSecond);
    this.table = new ConflatingTable<Entry>(
      { minIntervalMs: config.minIntervalMs, staleMs: config.staleMs, maxTracks: config.maxTracks, maxPublishPerSecond: config.maxPublishPerSecond, ...(opts.now ? { now: opts.now } : {}) },
      async (batch) => {
        const now = Date.now();
        const events: CotEvent[] = [];
        for (const { state: e } of batch) {
          const ev = e.kind === 'vessel' ? vesselCot(e.v, this.map, now) : aircraftCot(e.a, this.map, now);
          if (ev) events.push(ev);
        }
        if (events.length === 0) return;
        const refused = await this.publish(events, this.label, this.config.id);
        if (refused) this.table.publishErrors += refused;
      },
    );
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
    else sink.line = this.config.kind === 'ais' ? (l) => this.onAisLine(l) : (l) => this.onSbsLine(l);
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

  /** One NMEA line (public for replay tools and benchmarks). */
  onAisLine(line: string): void {
    if (!this.admit()) return;
    const s = parseAisSentence(line);
    if (!s.ok) {
      if (s.reason !== 'not-ais') this.decodeErrors++;
      return;
    }
    const payload = this.asm.push(s.sentence);
    if (!payload) return;
    const r = decodeAis(payload);
    if (!r.ok) {
      this.decodeErrors++;
      return;
    }
    if (r.message) this.applyAis(r.message);
  }

  private applyAis(m: AisMessage): void {
    this.table.update(
      vesselUid(m.mmsi),
      (prev) => {
        const v: VesselState = prev?.kind === 'vessel' ? prev.v : { mmsi: m.mmsi };
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
    );
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
        return { kind: 'aircraft', a };
      },
      (e) => e.kind === 'aircraft' && e.a.lat !== undefined,
    );
    if (accepted) this.checkSquawk(uid);
  }

  /** An emergency squawk raises an alert at once (not conflated); clearing it sends the cancel. */
  private checkSquawk(uid: string): void {
    const e = this.table.get(uid);
    if (e?.kind !== 'aircraft' || e.a.lat === undefined) return;
    const emergency = e.a.squawk !== undefined && EMERGENCY_SQUAWKS[e.a.squawk] !== undefined;
    const key = `${uid}:${e.a.squawk}`;
    if (emergency && !this.alerting.has(key)) {
      for (const k of this.alerting) if (k.startsWith(`${uid}:`)) this.alerting.delete(k);
      this.alerting.add(key);
      this.alerts++;
      this.sendAlert(e.a, false);
    } else if (!emergency && [...this.alerting].some((k) => k.startsWith(`${uid}:`))) {
      for (const k of this.alerting) if (k.startsWith(`${uid}:`)) this.alerting.delete(k);
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

  private tick(): void {
    const now = Date.now();
    const dt = (now - this.rateMark.at) / 1000;
    if (dt > 0) this.rate = Math.round(((this.messages - this.rateMark.messages) / dt) * 10) / 10;
    this.rateMark = { at: now, messages: this.messages };
    this.table.sweep();
    // an aircraft forgotten while squawking an emergency leaves no alert state behind
    for (const k of this.alerting) if (this.table.get(k.slice(0, k.lastIndexOf(':'))) === undefined) this.alerting.delete(k);
  }

  status(): FeedStatus {
    return {
      id: this.config.id,
      kind: this.config.kind,
      transport: this.config.transport,
      enabled: this.config.enabled,
      connected: this.connected,
      ...(this.error ? { error: this.error } : {}),
      ...(this.transport?.port !== undefined ? { port: this.transport.port } : {}),
      messages: this.messages,
      messagesPerSecond: this.rate,
      decodeErrors: this.decodeErrors,
      rateLimited: this.rateLimited,
      lastMessageAt: this.lastMessageAt ? new Date(this.lastMessageAt).toISOString() : null,
      tracks: this.table.size,
      published: this.table.published,
      publishErrors: this.table.publishErrors,
      alerts: this.alerts,
    };
  }

  /** true when no track update is waiting to be handed to the node */
  get idle(): boolean {
    return this.table.idle;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.table.close();
    await this.transport?.close();
  }
}

function setPosition(v: VesselState, m: { lat?: number; lon?: number }): void {
  if (m.lat !== undefined && m.lon !== undefined) {
    v.lat = m.lat;
    v.lon = m.lon;
  }
}

const STATIC_FIELDS = ['name', 'callsign', 'imo', 'shipType', 'dims', 'destination', 'draught'] as const;
const POSITION_STATIC_FIELDS = ['name', 'shipType', 'dims'] as const;

/** the fields of `keys` that `from` has (not undefined) onto `to` */
function copyDefined<F extends object, K extends keyof F & keyof VesselState>(to: VesselState, from: F, keys: readonly K[]): void {
  for (const k of keys) {
    const x = from[k];
    if (x !== undefined) (to as Record<K, unknown>)[k] = x;
  }
}
