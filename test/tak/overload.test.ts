import { afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { Writable } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { parseConfig } from '../../src/node/config.js';
import { startNode, type KizunaNode } from '../../src/node/node.js';
import { parseCotXml, serializeCotXml } from '../../src/cot/xml.js';
import type { CotEvent } from '../../src/cot/model.js';
import { waitFor } from '../support/node-harness.js';
import { TestTakClient, sa } from '../support/tak-client.js';

/** A node with a logger whose lines the test can read. */
async function nodeWithLog(maxSendQueueBytes: number): Promise<{ node: KizunaNode; lines: Record<string, unknown>[]; stop(): Promise<void> }> {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  const dir = mkdtempSync(join(tmpdir(), 'kizuna-overload-'));
  const node = await startNode(
    parseConfig({ nation: 'JPN', host: '127.0.0.1', dataDir: dir, ports: { tcp: 0, tls: 0, http: 0, https: 0, enroll: 0, federation: 0 }, limits: { maxSendQueueBytes }, offerProtobuf: false }),
    { logger: pino({ level: 'info' }, sink) },
  );
  return { node, lines, stop: async () => (await node.close(), rmSync(dir, { recursive: true, force: true })) };
}

/** A raw client that does not read until resumed; it parses what it got afterwards. */
async function pausedReader(port: number): Promise<{ socket: net.Socket; events(): CotEvent[] }> {
  const socket = await new Promise<net.Socket>((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s));
  });
  socket.pause();
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  return {
    socket,
    events: () =>
      Buffer.concat(chunks)
        .toString('utf8')
        .split('</event>')
        .slice(0, -1) // what follows the last end tag is an event still arriving
        .filter((x) => x.includes('<event'))
        .map((x) => parseCotXml(x.slice(x.indexOf('<event')) + '</event>')),
  };
}

const now = () => new Date().toISOString();
const later = () => new Date(Date.now() + 60_000).toISOString();
const base = { version: '2.0', how: 'h-e', point: { lat: 35, lon: 139, hae: 0, ce: 9, le: 9 } };
const chat = (n: number): CotEvent => ({
  ...base, uid: `GeoChat.W.All Chat Rooms.${n}`, type: 'b-t-f', time: now(), start: now(), stale: later(),
  detailXml: `<__chat chatroom="All Chat Rooms" id="All Chat Rooms" senderCallsign="W"/><remarks>chat ${n}</remarks>`,
});
const alert = (n: number): CotEvent => ({
  ...base, uid: `ALERT-${n}`, type: 'b-a-o-tbl', time: now(), start: now(), stale: later(),
  detailXml: `<emergency type="911 Alert">W ${n}</emergency>`,
});
const del = (uid: string): CotEvent => ({
  ...base, uid: `DEL-${uid}`, type: 't-x-d-d', time: now(), start: now(), stale: later(),
  detailXml: `<link uid="${uid}" type="a-f-G-U-C" relation="p-p"/>`,
});
/**
 * position `seq` of uid P<k>; the sequence number travels as the height. All carry one time, so the
 * fan-out's own skipping of overtaken positions (tested below) leaves every one to the client's backlog.
 */
const burstTime = new Date().toISOString();
const pos = (k: number, seq: number) =>
  sa(`P${k}`, `P${k}`, { time: burstTime, start: burstTime, point: { lat: 35, lon: 139, hae: seq, ce: 5, le: 5 } });

describe('TAK overload: a client that cannot keep up gets a fresh picture, not a late one', () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    stop = undefined;
  });

  /** A node with the given backlog bound and three clients: a paused reader (connected first), a fast reader, a writer. */
  async function slowFastWriter(maxSendQueueBytes: number) {
    const t = await nodeWithLog(maxSendQueueBytes);
    stop = t.stop;
    const slow = await pausedReader(t.node.ready.tcp!);
    const fast = await TestTakClient.connect(t.node.ready.tcp!);
    const writer = await TestTakClient.connect(t.node.ready.tcp!);
    await waitFor(() => t.node.tak.clientCount === 3, 'three clients');
    return { t, slow, fast, writer, slowConn: [...t.node.tak.connections()][0]! };
  }

  it('a paused reader gets the newest position per uid and every chat, alert and delete in order', async () => {
    const { t, slow, fast, writer, slowConn } = await slowFastWriter(256 * 1024 * 1024);

    // Fill the kernel buffers towards the paused reader until the node itself holds a backlog for it.
    const pad = 'p'.repeat(50_000);
    for (let round = 0; round < 40 && !(slowConn.backlogBytes > 0); round++) {
      for (let i = 0; i < 20; i++) writer.send(sa(`PAD-${round}-${i}`, 'PAD', { detailXml: `<contact callsign="PAD"/><remarks>${pad}</remarks>` }));
      await fast.waitForUid(`PAD-${round}-19`, 30_000);
    }

    const fixed: string[] = [];
    const burst = (from: number, to: number) => {
      for (let s = from; s < to; s++) {
        writer.send(pos(s % 10, s));
        if (s % 100 === 50) (writer.send(chat(s)), fixed.push(`GeoChat.W.All Chat Rooms.${s}`));
        if (s % 250 === 120) (writer.send(alert(s)), fixed.push(`ALERT-${s}`));
      }
    };
    burst(0, 500);
    await fast.waitForUid('P9', 30_000);
    await waitFor(() => fast.byUid('P9').some((e) => e.point.hae === 499), 'first half delivered', 30_000);
    // The delete of P3 reaches the node after P3's first-half positions and before its second-half ones.
    writer.send(del('P3'));
    // a delete is stored and delivered as the tombstone of its target: uid P3, type t-x-d-d
    fixed.push('P3');
    await waitFor(() => fast.byType('t-x-d-d').some((e) => e.uid === 'P3'), 'delete of P3', 30_000);
    burst(500, 1000);
    writer.send(chat(100_000));
    fixed.push('GeoChat.W.All Chat Rooms.100000');
    await fast.waitForUid('GeoChat.W.All Chat Rooms.100000', 30_000);

    slow.socket.resume();
    await waitFor(() => slow.events().some((e) => e.uid === 'GeoChat.W.All Chat Rooms.100000'), 'slow reader caught up', 60_000);
    const got = slow.events().filter((e) => !e.uid.startsWith('PAD-'));

    expect(got.filter((e) => !e.type.startsWith('a-')).map((e) => e.uid)).toEqual(fixed);
    for (let k = 0; k < 10; k++) {
      const seqs = got.filter((e) => e.uid === `P${k}` && e.type.startsWith('a-')).map((e) => e.point.hae);
      expect(seqs.at(-1)).toBe(990 + k); // the newest position of every uid
      expect([...seqs].sort((a, b) => a - b)).toEqual(seqs); // never an older one after a newer one
    }
    // P3: positions before the delete are first-half ones, after it second-half ones, and the newest is last
    const cut = got.findIndex((e) => e.uid === 'P3' && e.type === 't-x-d-d');
    expect(got.slice(0, cut).filter((e) => e.uid === 'P3').every((e) => e.point.hae < 500)).toBe(true);
    expect(got.slice(cut).filter((e) => e.uid === 'P3' && e.type !== 't-x-d-d').every((e) => e.point.hae >= 500)).toBe(true);
    // skipped positions are the point: far fewer than the 1,000 sent reached the slow reader
    expect(got.filter((e) => e.uid.startsWith('P')).length).toBeLessThan(100);
    // skipped for this reader in its backlog, or for everyone before ingest or before fan-out (the node was behind too)
    const skippedForAll = t.node.tak.inboundStats.conflated + t.node.tak.fanoutStats.conflated + t.node.tak.stats.superseded;
    expect(slowConn.conflated + skippedForAll).toBeGreaterThan(900);
    expect(slowConn.isClosed).toBe(false);
    for (const c of [fast, writer]) c.close();
    slow.socket.destroy();
  }, 180_000);

  it('drops a reader that falls behind on traffic that may not be skipped, with a log line', async () => {
    const { t, slow, fast, writer, slowConn } = await slowFastWriter(256 * 1024);
    // The same alert uid over and over: not a position, so nothing may be merged.
    const text = 'a'.repeat(20_000);
    for (let round = 0; round < 60 && !slowConn.isClosed; round++) {
      for (let i = 0; i < 20; i++) writer.send({ ...alert(0), detailXml: `<emergency type="911 Alert">${round}-${i} ${text}</emergency>` });
      await waitFor(() => fast.byUid('ALERT-0').length === (round + 1) * 20, 'alerts delivered', 30_000);
    }
    await waitFor(() => slowConn.isClosed, 'slow reader dropped', 10_000);
    const line = t.lines.find((l) => l.code === 'SLOW_READER');
    expect(line).toMatchObject({ conn: slowConn.id, msg: expect.stringContaining('dropping slow reader') });
    expect(line!.nonConflatable as number).toBeGreaterThan(200 * 1024);
    expect(t.node.tak.clientCount).toBe(2);
    for (const c of [fast, writer]) c.close();
    slow.socket.destroy();
  }, 180_000);

  it('skips a position that a newer one from the same client overtook before it was fanned out', async () => {
    const t = await nodeWithLog(8 * 1024 * 1024);
    stop = t.stop;
    const reader = await TestTakClient.connect(t.node.ready.tcp!);
    const writer = await TestTakClient.connect(t.node.ready.tcp!);
    const other = await TestTakClient.connect(t.node.ready.tcp!);
    await waitFor(() => t.node.tak.clientCount === 3, 'three clients');
    const at = (ms: number) => new Date(Date.now() + ms).toISOString();
    const older = sa('MOVER', 'MOVER', { time: at(0), start: at(0), point: { lat: 35, lon: 139, hae: 1, ce: 5, le: 5 } });
    const newer = sa('MOVER', 'MOVER', { time: at(1000), start: at(1000), point: { lat: 35, lon: 139, hae: 2, ce: 5, le: 5 } });
    // One read holds both: the newer one is known before the older one has passed the pipeline.
    writer.sendXml(serializeCotXml(older) + serializeCotXml(newer));
    // Another client's position for the same uid with a later time does not suppress the writer's.
    other.sendXml(serializeCotXml(sa('OTHER', 'OTHER')));
    await reader.waitForUid('OTHER');
    await waitFor(() => reader.byUid('MOVER').some((e) => e.point.hae === 2), 'newest position');
    writer.send(sa('LAST', 'LAST'));
    await reader.waitForUid('LAST');
    // The older position is skipped when the newer one is known before the older one is fanned out: at
    // fan-out (both stored, the older never sent) or, when ingest is behind, in the inbound gate (replaced
    // before ingest, only the newer stored). Loopback TCP may still split the write so that the older one
    // is fanned out first; then nothing is skipped. Either way: the newest arrives last, each position is
    // delivered or counted as skipped exactly once, and history holds what was ingested.
    const seen = reader.byUid('MOVER').map((e) => e.point.hae);
    // skipped at fan-out: overtaken in the pipeline, or replaced while waiting for its fan-out slice
    const atFanOut = t.node.tak.stats.superseded + t.node.tak.fanoutStats.conflated;
    const inGate = t.node.tak.inboundStats.conflated;
    expect(seen.at(-1)).toBe(2);
    expect(seen.length + atFanOut + inGate).toBe(2);
    expect((await t.node.store.events.history('MOVER')).length).toBe(2 - inGate);
    for (const c of [reader, writer, other]) c.close();
  }, 60_000);
});
