/** Feed configuration (the node's `feeds` array and the admin endpoint's body share this schema). */
import { z } from 'zod';

const Port = z.number().int().min(0).max(65535);

import { FEED_KINDS, FEED_TRANSPORTS } from '../vocab/index.js';

export { FEED_KINDS, FEED_TRANSPORTS };
const TRANSPORTS_OF: Record<(typeof FEED_KINDS)[number], readonly string[]> = {
  ais: ['udp', 'tcp-client', 'tcp-server'],
  sbs: ['tcp-client', 'tcp-server'],
  'aircraft-json': ['http', 'file'],
};

export const FeedConfigSchema = z
  .object({
    /** stable id: status, metrics and the admin endpoint use it */
    id: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'id: letters, digits, _ . - (at most 64)').describe('stable id: status, metrics and the admin endpoint use it'),
    kind: z.enum(FEED_KINDS).describe('ais (NMEA !AIVDM/!AIVDO), sbs (SBS-1 BaseStation) or aircraft-json (dump1090)'),
    transport: z.enum(FEED_TRANSPORTS).describe('udp, tcp-client, tcp-server (AIS/SBS) or http, file (aircraft.json)'),
    /** udp/tcp-server: address to listen on; tcp-client: the receiver to connect to */
    host: z.string().min(1).default('127.0.0.1').describe('udp/tcp-server: address to listen on; tcp-client: the receiver to connect to'),
    port: Port.optional().describe('udp/tcp port (0 = any free port for udp/tcp-server)'),
    /** http: the dump1090 aircraft.json URL */
    url: z.string().url().optional().describe('http: the dump1090 aircraft.json URL'),
    /** file: path of an aircraft.json that dump1090 rewrites */
    path: z.string().min(1).optional().describe('file: path of an aircraft.json that dump1090 rewrites'),
    pollMs: z.number().int().min(100).default(1000).describe('http/file: poll interval'),
    /** label of every track this feed produces, in the node's own policy (owner = this nation) */
    label: z.object({
      classification: z.string().min(1).describe('classification of the feed label'),
      relTo: z.array(z.string().regex(/^[A-Z]{3,4}$/)).optional().describe('releasable-to nations (the owner is always included)'),
      caveats: z.array(z.string()).optional().describe('caveats of the feed label'),
    }).describe("label of every track this feed produces, in the node's own policy (owner = this nation)"),
    /** CoT affiliation letter of the feed's tracks (u unknown, n neutral, f friend, …) */
    affiliation: z.enum(['f', 'a', 'n', 'u', 's', 'h', 'j', 'k', 'p']).default('u').describe('CoT affiliation letter of the feed tracks (u unknown, n neutral, f friend, …)'),
    /** CoT type function atoms after `a-<aff>-`, by AIS ship type number, 'aton', 'vessel', 'aircraft' or category */
    types: z.record(z.string().max(8), z.string().regex(/^[A-Z](-[A-Z0-9]{1,2}){0,5}$/, 'types: CoT function atoms such as S-X-M-C')).optional().describe('CoT type function atoms after a-<aff>-, by AIS ship type number, \'aton\', \'vessel\', \'aircraft\' or category'),
    /** a track not reported for this long is stale */
    staleMs: z.number().int().min(1000).default(300_000).describe('a track not reported for this long is stale'),
    /** at most one update per track per this interval (latest state wins) */
    minIntervalMs: z.number().int().min(0).default(1000).describe('at most one update per track per this interval (latest state wins)'),
    /** sampled track history: a history row per track at most this often (0 = every update); the live picture takes every update */
    historyIntervalMs: z.number().int().min(0).default(30_000).describe('track history is sampled: a history row per track at most this often, plus its first update and any change of type, name or static data (0 = every update, as the live picture); the latest state takes every update'),
    /** sampled storage: a track's latest row written at most this often; the live picture takes every update */
    storeIntervalMs: z.number().int().min(0).default(15_000).describe("a track's latest row (replay to new clients, restart) is written at most this often; the updates in between reach clients, the web map and partners live, and a track's last live update is written once this interval has passed (0 = every update written)"),
    /** input messages per second accepted from this feed; the rest are counted and dropped */
    maxMessagesPerSecond: z.number().int().positive().default(20_000).describe('input messages per second accepted; the rest are counted and dropped'),
    /** track updates per second handed to the node */
    maxPublishPerSecond: z.number().int().positive().default(5_000).describe('track updates per second handed to the node'),
    maxTracks: z.number().int().positive().default(100_000).describe('live tracks held for this feed'),
    /** tcp-server: concurrent senders */
    maxConnections: z.number().int().positive().default(8).describe('tcp-server: concurrent senders'),
    /** tcp-server: concurrent senders from one address (one host cannot take every slot) */
    maxConnectionsPerAddress: z.number().int().positive().default(2).describe('tcp-server: concurrent senders from one address (one host cannot take every slot)'),
    enabled: z.boolean().default(true).describe('a disabled feed is kept but not started'),
  })
  .superRefine((f, ctx) => {
    if (!TRANSPORTS_OF[f.kind].includes(f.transport)) {
      ctx.addIssue({ code: 'custom', path: ['transport'], message: `${f.kind} feeds use ${TRANSPORTS_OF[f.kind].join(' or ')}` });
    }
    if (['udp', 'tcp-client', 'tcp-server'].includes(f.transport) && f.port === undefined) {
      ctx.addIssue({ code: 'custom', path: ['port'], message: `${f.transport} needs a port` });
    }
    if (f.transport === 'tcp-client' && f.port === 0) ctx.addIssue({ code: 'custom', path: ['port'], message: 'tcp-client needs the receiver port' });
    if (f.transport === 'http' && !f.url) ctx.addIssue({ code: 'custom', path: ['url'], message: 'http needs the aircraft.json url' });
    if (f.transport === 'http' && f.url && !/^https?:/.test(f.url)) ctx.addIssue({ code: 'custom', path: ['url'], message: 'url must be http or https' });
    if (f.transport === 'file' && !f.path) ctx.addIssue({ code: 'custom', path: ['path'], message: 'file needs the aircraft.json path' });
  });

export type FeedConfig = z.infer<typeof FeedConfigSchema>;
export type FeedConfigInput = z.input<typeof FeedConfigSchema>;
