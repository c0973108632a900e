import { afterEach, describe, expect, it } from 'vitest';
import type { CotEvent } from '../../src/cot/model.js';
import type { ReleaseGuard } from '../../src/labels/index.js';
import type { StoredEvent } from '../../src/store/types.js';
import { TakServer, type Delivery } from '../../src/tak/server.js';
import type { TakConnection } from '../../src/tak/connection.js';
import { createLogger } from '../../src/util/log.js';
import { TestTakClient, sa, waitFor } from '../support/index.js';

/**
 * The fan-out's skip of an overtaken position, without timing (the test waits for the fan-out's slices): ingest is held open by the test, so both
 * positions of one write are in the pipeline at once however loopback splits the write (the end-to-end
 * overload test cannot force that and accepts either outcome). The guard only counts what reaches release:
 * a skipped position never does.
 */

const PROCESS = 'proc-1';

function countingGuard(): { guard: ReleaseGuard; released: string[] } {
  const released: string[] = [];
  const guard = {
    audienceKey: () => 'everyone',
    // denied: the test asks only whether the fan-out got as far as a release decision
    release: (item: { label: { test: string } }) => void released.push(item.label.test),
    releaseMany: () => [],
    onDecision: () => undefined,
  } as unknown as ReleaseGuard;
  return { guard, released };
}

interface Held {
  ev: CotEvent;
  conn: TakConnection;
  finish: () => void;
}

async function serverWithHeldIngest() {
  const held: Held[] = [];
  const { guard, released } = countingGuard();
  const server = new TakServer({
    processId: PROCESS,
    guard,
    logger: createLogger({ level: 'silent' }),
    limits: { maxEventBytes: 1 << 20, maxSendQueueBytes: 1 << 20, offerProtobuf: false },
    // never "behind": every event goes to ingest at once, none is conflated in the inbound gate
    inbound: { maxLagMs: 3_600_000 },
    ingest: (ev, conn) => new Promise<void>((finish) => void held.push({ ev, conn, finish })),
    latest: async () => [],
    anonymousIdentity: () => ({ name: 'anonymous', nation: 'JPN', groups: ['__ANON__'], audience: { nation: 'JPN' } as never, audienceKey: 'everyone' }),
    certificateIdentity: () => undefined,
    parseStored: () => {
      throw new Error('no replay in this test');
    },
  });
  const { tcp } = await server.listen({ host: '127.0.0.1', tcpPort: 0 });
  return { server, port: tcp!, held, released };
}

const delivery = (h: Held): Delivery => ({
  cot: h.ev,
  stored: { id: `${h.ev.uid}-${h.ev.point.hae}`, origin: 'JPN', uid: h.ev.uid, type: h.ev.type, time: Date.parse(h.ev.time), label: { test: String(h.ev.point.hae) } } as unknown as StoredEvent,
  route: { sourceConn: h.conn.id, sourceProcess: PROCESS, destCallsigns: [], destUids: [] },
});

describe('fan-out skips a position a newer one from the same client overtook', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it('the older of two positions in the pipeline is not fanned out; the newer one and another client’s are', async () => {
    const { server, port, held, released } = await serverWithHeldIngest();
    const writer = await TestTakClient.connect(port);
    const other = await TestTakClient.connect(port);
    close = async () => {
      writer.close();
      other.close();
      await server.close();
    };
    const at = (ago: number) => new Date(Date.now() - ago).toISOString();
    const pos = (hae: number, ago: number) => sa('MOVER', 'MOVER', { time: at(ago), start: at(ago), point: { lat: 35, lon: 139, hae, ce: 5, le: 5 } });
    writer.send(pos(1, 2000));
    await waitFor(() => held.length === 1, 'older position in ingest');
    writer.send(pos(2, 1000));
    await waitFor(() => held.length === 2, 'newer position in ingest');
    const [older, newer] = held as [Held, Held];

    // deliver() queues; the fan-out writes in the next event-loop slices
    server.deliver(delivery(older));
    await waitFor(() => server.stats.superseded === 1, 'the older position skipped at its turn');
    expect(released).toEqual([]);
    server.deliver(delivery(newer));
    await waitFor(() => released.length === 1, 'the newer position released');
    expect(released).toEqual(['2']);

    // Another client's position for the same uid, newer still and in the pipeline, suppresses nothing of the writer's.
    other.send(pos(3, 500));
    await waitFor(() => held.length === 3, "other client's position in ingest");
    const foreign = held[2]!;
    server.deliver(delivery(newer));
    server.deliver(delivery(foreign));
    await waitFor(() => released.length === 3, "the writer's and the other client's positions released");
    expect(server.stats.superseded).toBe(1);
    expect(released).toEqual(['2', '2', '3']);

    // Once the newer positions have left the pipeline nothing is known to overtake the older one.
    newer.finish();
    foreign.finish();
    await new Promise((r) => setImmediate(r)); // the ingest promises' callbacks (microtasks) have run
    server.deliver(delivery(older));
    await waitFor(() => released.length === 4, 'the older position released once nothing overtakes it');
    expect(server.stats.superseded).toBe(1);
    expect(released).toEqual(['2', '2', '3', '1']);
    older.finish();
  });
});
