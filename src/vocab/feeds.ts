/** Sensor feed kinds and the transports each can arrive over. */
export const FEED_KINDS = ['ais', 'sbs', 'aircraft-json'] as const;
export type FeedKind = (typeof FEED_KINDS)[number];
export const FEED_TRANSPORTS = ['udp', 'tcp-client', 'tcp-server', 'http', 'file'] as const;
export type FeedTransport = (typeof FEED_TRANSPORTS)[number];

/** One sensor feed's state and counters: the feed manager's status and what GET /api/admin/feeds lists (administrators). */
export interface FeedStatus {
  id: string;
  kind: FeedKind;
  transport: FeedTransport;
  enabled: boolean;
  /** scale-out: another process of this node runs the feed (this one takes over if that one stops) */
  standby?: boolean;
  connected: boolean;
  /** last transport error, if the feed is not connected */
  error?: string;
  /** bound port of a udp/tcp-server feed */
  port?: number;
  messages: number;
  messagesPerSecond: number;
  decodeErrors: number;
  rateLimited: number;
  lastMessageAt: string | null;
  tracks: number;
  /** new tracks refused because the feed held maxTracks */
  tracksRefused: number;
  /** tcp-server: connections refused by the per-address or total limit */
  connectionsRefused?: number;
  published: number;
  publishErrors: number;
  alerts: number;
  /** emergency alerts held back by the per-feed alert rate (raised on a later report when it allows) */
  alertsSuppressed: number;
  /** AIS: a vessel's same payload again within 1 s (another receiver's copy of one message), dropped */
  duplicates: number;
  /** track updates written to the store (with a history row or as the latest row; a late-written live update too) */
  written: number;
  /** track updates delivered live only, within storeIntervalMs of the track's last write */
  liveOnly: number;
}
