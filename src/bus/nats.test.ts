import { randomBytes } from 'node:crypto';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busContract } from './contract.js';
import { natsLeaseBucket, natsStreamName, openNatsBus } from './nats.js';
import { openBus } from './open.js';
import { nodeSubject } from './subject.js';
import { isKizunaError } from '../util/errors.js';

const NATS_URL = process.env.KIZUNA_TEST_NATS ?? 'nats://127.0.0.1:4222';
let admin: NatsConnection;

beforeAll(async () => {
  try {
    admin = await connect({ servers: NATS_URL, maxReconnectAttempts: 0 });
  } catch (e) {
    throw new Error(`NATS JetStream is required for these tests and is unreachable at ${NATS_URL} (set KIZUNA_TEST_NATS): ${String(e)}`);
  }
});
afterAll(async () => {
  await admin?.close();
});

/** Unique node per test so concurrent runs never share a stream or a bucket. */
const freshNode = () => `T-${Date.now().toString(36)}.${randomBytes(3).toString('hex')}`;

async function dropNode(node: string): Promise<void> {
  const jsm = await jetstreamManager(admin);
  await jsm.streams.delete(natsStreamName(node)).catch(() => undefined);
  await jsm.streams.delete(`KV_${natsLeaseBucket(node)}`).catch(() => undefined);
}

busContract('nats', async () => {
  const node = freshNode();
  return { node, open: () => openNatsBus(NATS_URL, { node }), destroy: () => dropNode(node) };
});

describe('nats specifics', () => {
  it('publish is acknowledged by JetStream (the message is in the node stream) and subjects stay in the node', async () => {
    const node = freshNode();
    const bus = await openBus(NATS_URL, node);
    try {
      expect(bus.kind).toBe('nats');
      await bus.publish(nodeSubject(node, 'cot'), new Uint8Array([1, 2, 3]));
      const jsm = await jetstreamManager(admin);
      const info = await jsm.streams.info(natsStreamName(node));
      expect(info.state.messages).toBe(1);
      expect(info.config.subjects).toEqual([`kizuna.${nodeSubject(node).split('.')[1]}.>`]);
      await expect(bus.publish(nodeSubject('OTHER', 'cot'), new Uint8Array([1]))).rejects.toSatisfy((e) =>
        isKizunaError(e, 'BAD_REQUEST'),
      );
    } finally {
      await bus.close();
      await dropNode(node);
    }
  });

  it('a burst of several pull batches arrives complete, in order and once, with one pull request per 250 messages', async () => {
    const node = freshNode();
    const a = await openNatsBus(NATS_URL, { node });
    const b = await openNatsBus(NATS_URL, { node });
    try {
      const subject = nodeSubject(node, 'cot');
      // count what the subscriber's connection sends (its pull requests) while it consumes
      const nc = (b as unknown as { nc: NatsConnection }).nc;
      let pulls = 0;
      const publish = nc.publish.bind(nc);
      nc.publish = (subj, ...rest) => {
        if (subj.includes('.CONSUMER.MSG.NEXT.')) pulls++;
        publish(subj, ...rest);
      };
      const got: number[] = [];
      const sub = b.subscribe(`kizuna.${subject.split('.')[1]}.>`, (d) => got.push(Number(new TextDecoder().decode(d))));
      await sub.ready;
      const before = pulls;
      const n = 2500;
      for (let i = 0; i < n; i += 250) {
        await Promise.all(Array.from({ length: 250 }, (_, k) => a.publish(subject, new TextEncoder().encode(String(i + k)))));
      }
      const deadline = Date.now() + 20_000;
      while (got.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(got.length).toBe(n);
      expect(got.every((v, i) => v === i)).toBe(true);
      expect(pulls - before).toBeLessThanOrEqual(n / 250 + 1);
      sub.unsubscribe();
    } finally {
      await a.close();
      await b.close();
      await dropNode(node);
    }
  });

  it('a publish JetStream does not store is refused: no stream for the subject is BUS_FAILED, not a silent success', async () => {
    const node = freshNode();
    const bus = await openNatsBus(NATS_URL, { node });
    try {
      await bus.publish(nodeSubject(node, 'cot'), new Uint8Array([1]));
      const jsm = await jetstreamManager(admin);
      await jsm.streams.delete(natsStreamName(node));
      await expect(bus.publish(nodeSubject(node, 'cot'), new Uint8Array([2]))).rejects.toSatisfy((e) => isKizunaError(e, 'BUS_FAILED'));
    } finally {
      await bus.close();
      await dropNode(node);
    }
  });

  it('an unreachable server is a BUS_FAILED error', async () => {
    await expect(openNatsBus('nats://127.0.0.1:1', { node: 'X' })).rejects.toSatisfy((e) => isKizunaError(e, 'BUS_FAILED'));
  });
});
