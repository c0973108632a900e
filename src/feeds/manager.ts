/**
 * The node's feeds: started from the config file and from the admin-managed list in the data directory
 * (`feeds.json`, rewritten atomically on every change). Each feed's label is made once, when the feed is
 * added, by the node's label factory: a label the node's policy refuses refuses the feed.
 *
 * Scale-out (several processes of one node on one bus): every process knows every feed, but only the
 * process holding the lease `feed:<id>` runs it (a UDP/TCP server binds once, a client connects once, no
 * track is ingested twice); the others keep it on standby and one of them takes over when the holder
 * stops renewing (closed, or killed).
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import type { SecurityLabel } from '../labels/types.js';
import { KizunaError } from '../util/errors.js';
import { FeedConfigSchema, type FeedConfig } from './config.js';
import { Feed, type FeedStatus, type KeepLast, type Publish } from './feed.js';

export interface FeedManagerOptions {
  publish: Publish;
  /** history rows for the last latest-only update of forgotten tracks (see KeepLast) */
  keepLast?: KeepLast;
  /** the label of a feed's tracks from its config (throws a KizunaError when the policy refuses it) */
  labelOf(label: FeedConfig['label']): SecurityLabel;
  /** feeds from the node's config file (not removable through the admin endpoint) */
  configured: FeedConfig[];
  /** where admin-added feeds are kept; undefined keeps them in memory only */
  file?: string;
  log?: { warn(obj: object, msg: string): void; info?(obj: object, msg: string): void };
  /** scale-out: who runs each feed (absent: this process runs every feed) */
  leases?: FeedLeases;
}

/** One owner per feed among the processes of a node (the bus's leases). */
export interface FeedLeases {
  /** true when this process holds (or has just renewed) the lease */
  acquire(name: string): Promise<boolean>;
  release(name: string): Promise<void>;
  /** how often held leases are renewed and free ones tried (well under the lease time) */
  renewMs: number;
}

interface Held {
  feed: Feed;
  source: 'config' | 'admin';
  /** the feed's transport is open in this process */
  running: boolean;
}

export interface FeedSample {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  value: number;
  labels: { feed: string };
}

export class FeedManager {
  private readonly feeds = new Map<string, Held>();
  private leaseTimer: NodeJS.Timeout | undefined;
  private renewing: Promise<void> | undefined;
  private closed = false;
  private get feedOpts(): { keepLast?: KeepLast } {
    return this.o.keepLast ? { keepLast: this.o.keepLast } : {};
  }

  constructor(private readonly o: FeedManagerOptions) {}

  async start(): Promise<void> {
    await this.startAll();
    if (this.o.leases) {
      this.leaseTimer = setInterval(() => void this.renewLeases(), this.o.leases.renewMs);
      this.leaseTimer.unref();
    }
  }

  private async startAll(): Promise<void> {
    for (const f of this.o.configured) await this.run(f, 'config');
    for (const f of this.readFile()) {
      if (this.feeds.has(f.id)) {
        this.o.log?.warn({ feed: f.id }, 'admin feed id also in the config file; the config file wins');
        continue;
      }
      await this.run(f, 'admin');
    }
  }

  private readFile(): FeedConfig[] {
    if (!this.o.file) return [];
    let text: string;
    try {
      text = readFileSync(this.o.file, 'utf8');
    } catch {
      return [];
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new KizunaError('CONFIG_INVALID', `${this.o.file} is not JSON; fix or remove it`, { cause: err });
    }
    const r = z.array(FeedConfigSchema).safeParse(json);
    if (!r.success) throw new KizunaError('CONFIG_INVALID', `${this.o.file}: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    return r.data;
  }

  private persist(): void {
    if (!this.o.file) return;
    const list = [...this.feeds.values()].filter((f) => f.source === 'admin').map((f) => f.feed.config);
    const tmp = `${this.o.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(list, null, 2));
    renameSync(tmp, this.o.file);
  }

  private async run(config: FeedConfig, source: 'config' | 'admin'): Promise<Feed> {
    if (this.feeds.has(config.id)) throw new KizunaError('CONFLICT', `feed ${config.id} exists`);
    const held: Held = { feed: new Feed(config, this.o.labelOf(config.label), this.o.publish, this.feedOpts), source, running: false };
    this.feeds.set(config.id, held);
    if (!config.enabled) return held.feed;
    if (this.o.leases && !(await this.claim(config.id))) return held.feed; // another process runs it
    try {
      await this.startFeed(held);
    } catch (err) {
      // a port in use or a bad address: the operator is told which feed and why
      this.o.log?.warn({ feed: config.id, err: (err as Error).message }, 'feed failed to start');
      if (this.o.leases) await this.o.leases.release(leaseName(config.id)).catch(() => undefined);
      throw new KizunaError('CONFIG_INVALID', `feed ${config.id} could not start: ${(err as Error).message}`, { cause: err });
    }
    return held.feed;
  }

  private async startFeed(held: Held): Promise<void> {
    held.running = true;
    try {
      await held.feed.start();
    } catch (err) {
      await this.standDown(held);
      throw err;
    }
  }

  /** Closes the feed's transport here and keeps a fresh, unstarted feed of the same config on standby. */
  private async standDown(held: Held): Promise<void> {
    const old = held.feed;
    held.feed = new Feed(old.config, this.o.labelOf(old.config.label), this.o.publish, this.feedOpts);
    held.running = false;
    await old.close();
  }

  private async claim(id: string): Promise<boolean> {
    try {
      return await this.o.leases!.acquire(leaseName(id));
    } catch (err) {
      this.o.log?.warn({ feed: id, err: (err as Error).message }, 'feed lease renewal failed');
      return false;
    }
  }

  /** Renews the leases of the feeds running here, stops those lost, starts those whose holder is gone. */
  private renewLeases(): Promise<void> {
    this.renewing ??= (async () => {
      for (const [id, held] of this.feeds) {
        if (this.closed) return;
        if (!held.feed.config.enabled) continue;
        const mine = await this.claim(id);
        if (this.closed || this.feeds.get(id) !== held) continue;
        if (mine && !held.running) {
          this.o.log?.info?.({ feed: id }, 'feed taken over by this process');
          await this.startFeed(held).catch((err: unknown) => {
            this.o.log?.warn({ feed: id, err: (err as Error).message }, 'feed failed to start');
            return this.o.leases!.release(leaseName(id)).catch(() => undefined);
          });
        } else if (!mine && held.running) {
          this.o.log?.warn({ feed: id }, 'feed lease lost: another process runs the feed');
          await this.standDown(held);
        }
      }
    })().finally(() => (this.renewing = undefined));
    return this.renewing;
  }

  /** Adds and starts a feed (admin endpoint); persisted when it started. */
  async add(input: unknown): Promise<FeedStatus> {
    const r = FeedConfigSchema.safeParse(input);
    if (!r.success) throw new KizunaError('BAD_REQUEST', r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    try {
      const feed = await this.run(r.data, 'admin');
      this.persist();
      return feed.status();
    } catch (err) {
      const held = this.feeds.get(r.data.id);
      if (held?.source === 'admin' && !(err instanceof KizunaError && err.code === 'CONFLICT')) {
        this.feeds.delete(r.data.id);
        await held.feed.close();
      }
      throw err;
    }
  }

  async remove(id: string): Promise<void> {
    const f = this.feeds.get(id);
    if (!f) throw new KizunaError('NOT_FOUND');
    if (f.source === 'config') throw new KizunaError('CONFLICT', 'feed is defined in the config file; remove it there');
    this.feeds.delete(id);
    await f.feed.close();
    if (this.o.leases && f.running) await this.o.leases.release(leaseName(id)).catch(() => undefined);
    this.persist();
  }

  list(): { config: FeedConfig; source: 'config' | 'admin'; status: FeedStatus }[] {
    return [...this.feeds.values()].map((f) => ({ config: f.feed.config, source: f.source, status: this.statusOf(f) }));
  }

  status(): FeedStatus[] {
    return [...this.feeds.values()].map((f) => this.statusOf(f));
  }

  private statusOf(f: Held): FeedStatus {
    const s = f.feed.status();
    return f.feed.config.enabled && this.o.leases && !f.running ? { ...s, standby: true } : s;
  }

  get(id: string): Feed | undefined {
    return this.feeds.get(id)?.feed;
  }

  /** Prometheus samples per feed (the node's /metrics renders them). */
  metrics(): FeedSample[] {
    const out: FeedSample[] = [];
    for (const s of this.status()) {
      const labels = { feed: s.id };
      out.push(
        { name: 'kizuna_feed_connected', help: 'feed transport connected (1) or not (0)', type: 'gauge', value: s.connected ? 1 : 0, labels },
        { name: 'kizuna_feed_standby', help: 'feed run by another process of this node (1) or here (0)', type: 'gauge', value: s.standby ? 1 : 0, labels },
        { name: 'kizuna_feed_messages_total', help: 'feed messages accepted', type: 'counter', value: s.messages, labels },
        { name: 'kizuna_feed_messages_per_second', help: 'feed messages per second (last second)', type: 'gauge', value: s.messagesPerSecond, labels },
        { name: 'kizuna_feed_decode_errors_total', help: 'malformed feed messages skipped', type: 'counter', value: s.decodeErrors, labels },
        { name: 'kizuna_feed_rate_limited_total', help: 'feed messages dropped by the rate limit', type: 'counter', value: s.rateLimited, labels },
        { name: 'kizuna_feed_tracks', help: 'live tracks held for the feed', type: 'gauge', value: s.tracks, labels },
        { name: 'kizuna_feed_tracks_refused_total', help: 'new feed tracks refused because the feed held maxTracks', type: 'counter', value: s.tracksRefused, labels },
        { name: 'kizuna_feed_published_total', help: 'track updates handed to ingest', type: 'counter', value: s.published, labels },
        { name: 'kizuna_feed_publish_errors_total', help: 'feed track updates the write authority refused', type: 'counter', value: s.publishErrors, labels },
        { name: 'kizuna_feed_alerts_total', help: 'emergency squawk alerts raised', type: 'counter', value: s.alerts, labels },
        { name: 'kizuna_feed_alerts_suppressed_total', help: 'emergency squawk alerts held back by the feed alert rate', type: 'counter', value: s.alertsSuppressed, labels },
        { name: 'kizuna_feed_written_total', help: 'track updates written to the store (history or latest row, live updates written late included)', type: 'counter', value: s.written, labels },
        { name: 'kizuna_feed_live_only_total', help: "track updates delivered live only, within storeIntervalMs of the track's last write", type: 'counter', value: s.liveOnly, labels },
        { name: 'kizuna_feed_duplicates_total', help: 'AIS payloads dropped as another receiver\'s copy of one already applied (same vessel, same payload, within 1 s)', type: 'counter', value: s.duplicates, labels },
        { name: 'kizuna_feed_connections_refused_total', help: 'tcp-server feed connections refused by the per-address or total limit', type: 'counter', value: s.connectionsRefused ?? 0, labels },
        { name: 'kizuna_feed_last_message_timestamp_seconds', help: 'time of the last feed message', type: 'gauge', value: s.lastMessageAt ? Date.parse(s.lastMessageAt) / 1000 : 0, labels },
      );
    }
    return out;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.leaseTimer) clearInterval(this.leaseTimer);
    await this.renewing;
    for (const [id, f] of this.feeds) {
      await f.feed.close();
      // the next process to renew takes the feed over at once instead of after the lease time
      if (this.o.leases && f.running) await this.o.leases.release(leaseName(id)).catch(() => undefined);
    }
    this.feeds.clear();
  }
}

const leaseName = (id: string): string => `feed:${id}`;
