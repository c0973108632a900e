import pg from 'pg';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { natsLeaseBucket, natsStreamName } from '../../src/bus/nats.js';

/** Drops what one scale-out node left on the shared servers: its PostgreSQL schema, JetStream stream and lease bucket. */
export async function dropScaleResources(pgUrl: string, schema: string, natsUrl: string, nodeId: string): Promise<void> {
  const c = new pg.Client({ connectionString: pgUrl });
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await c.end();
  const nc = await connect({ servers: natsUrl });
  const jsm = await jetstreamManager(nc);
  for (const s of [natsStreamName(nodeId), `KV_${natsLeaseBucket(nodeId)}`]) await jsm.streams.delete(s).catch(() => undefined);
  await nc.close();
}
