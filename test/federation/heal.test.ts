import tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import { FrameReader, encodeFrame, lengthPrefixed } from '../../src/federation/wire.js';
import { cotObject, originate, perTest, relUsa, storedIds, waitFor } from './harness.js';

/**
 * Links that always heal: every way a link can break (a protocol error from the genuine peer, garbage
 * in the TLS stream, a truncated stream, a stall that keeps the connection open) ends in backoff and a
 * redial, and the outbox drains with 0 lost and 0 duplicated.
 */
describe('federation links heal after every kind of fault', () => {
  const scope = perTest();

  it('the dialing side redials after a protocol error from the genuine peer', async () => {
    const { dir, JPN, USA } = await scope.identities();
    // The genuine USA certificate, speaking out of turn: an AuditHead before its Hello is a protocol error.
    let connections = 0;
    const server = tls.createServer(
      { cert: USA.cert.certPem, key: USA.cert.keyPem, ca: JPN.ca.certPem, requestCert: true, rejectUnauthorized: true },
      (sock) => {
        connections++;
        sock.on('error', () => undefined);
        const reader = new FrameReader();
        sock.once('data', (c: Buffer) => {
          reader.push(c);
          sock.write(lengthPrefixed(encodeFrame({ auditHead: { seq: 1, hash: 'a'.repeat(64) } })));
        });
      },
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    scope.defer(() => new Promise<void>((r) => server.close(() => r())));
    const port = (server.address() as { port: number }).port;
    const jpn = await scope.node({ id: JPN, dir, peers: [{ id: USA, port }] });
    await waitFor(() => connections >= 3, 'the dialer to come back after each protocol error');
    expect(jpn.fed.status()[0]!.state).not.toBe('connected');
  }, 60_000);

  it('garbage, truncation and stalls through a proxy: the link comes back and the outbox drains, 0 lost, 0 duplicated', async () => {
    const stallMs = 300;
    const { dir, JPN, USA, usa } = await scope.usaListening({ stallMs });
    const proxy = await scope.proxy(() => usa.port);
    const jpn = await scope.node({ id: JPN, dir, peers: [{ id: USA, port: proxy.port }], stallMs });
    const connected = () => jpn.fed.status()[0]!.state === 'connected';

    const objs = Array.from({ length: 1200 }, () => cotObject('jpn', relUsa()));
    const faults: [string, () => void][] = [
      ['garbage towards the dialer', () => proxy.inject('client')],
      ['garbage towards the listener', () => proxy.inject('upstream')],
      ['truncation', () => proxy.truncateNext()],
      ['stall', () => proxy.stall()],
      ['garbage towards the dialer', () => proxy.inject('client', 4096)],
      ['stall', () => proxy.stall()],
    ];
    let sent = 0;
    for (const [what, fault] of faults) {
      await waitFor(connected, `link up before ${what}`, 30_000);
      const before = proxy.accepted;
      // The fault first, then traffic: a stall then always has work outstanding, a truncation a next chunk.
      fault();
      const batch = objs.slice(sent, sent + 200);
      sent += batch.length;
      await Promise.all(batch.map((o) => originate(jpn, o)));
      // The fault is only survived when the dialer comes back on a new connection.
      await waitFor(() => proxy.accepted > before, `a redial after ${what}`, 30_000);
      proxy.heal();
    }
    expect(sent).toBe(objs.length);
    await waitFor(async () => (await storedIds(usa)).length === objs.length, `all ${objs.length} events on USA`, 60_000);
    await waitFor(() => jpn.fed.status()[0]!.outboxDepth === 0, 'outbox drained', 30_000);
    const ids = usa.accepted.map((o) => o.id);
    expect(ids.length).toBe(objs.length); // accept stored each object once: 0 duplicated
    expect(new Set(ids).size).toBe(objs.length);
    expect(await storedIds(usa)).toEqual(objs.map((o) => `jpn:${o.id}`).sort()); // 0 lost
  }, 180_000);
});
