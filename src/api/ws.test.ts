import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { apiHandle, openFeed, startBench, storedEvent, waitFor, type Bench } from './test-support.js';

let b: Bench | undefined;
afterEach(async () => {
  await b?.stop();
  b = undefined;
});

const USA_ONLY = ['usa-only-uid', 'NOFORN-CS', 'usa-only-remark'];

describe('WebSocket feed', () => {
  it('rejects a missing or unknown token before upgrading', async () => {
    b = await startBench();
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${b!.base}/api/ws?token=nope`, {
        headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' },
      });
      req.on('response', (res) => resolve(res.statusCode ?? 0));
      req.on('upgrade', () => resolve(101));
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(401);
    await expect(openFeed(b, 'x'.repeat(43))).rejects.toThrow();
  });

  it('sends hello, a snapshot of releasable tracks, then live tracks; a USA-only track never reaches a JPN user', async () => {
    b = await startBench();
    await b.feed.publish(storedEvent({ uid: 'jpn-hi-uid', label: b.labels.jpnHi }));
    await b.feed.publish(storedEvent({ uid: 'usa-only-uid', label: b.labels.usaOnly, origin: 'USA', callsign: 'NOFORN-CS', remarks: 'usa-only-remark' }));
    const f = await openFeed(b, await b.login('admin'));
    await waitFor(() => f.msgs().some((m) => m.t === 'snapshot'), 'snapshot');
    const [hello, snap] = f.msgs();
    expect(hello).toEqual({ t: 'hello', node: 'JPN', nation: 'JPN', user: { username: 'admin', nation: 'JPN', role: 'administrator' } });
    expect(snap.t).toBe('snapshot');
    expect(snap.tracks.map((t: { uid: string }) => t.uid)).toEqual(['jpn-hi-uid']);

    await b.feed.publish(storedEvent({ uid: 'usa-only-uid', label: b.labels.usaOnly, origin: 'USA', callsign: 'NOFORN-CS', remarks: 'usa-only-remark' }));
    await b.feed.publish(storedEvent({ uid: 'usa-rel-uid', label: b.labels.usaRelJpn, origin: 'USA' }));
    await waitFor(() => f.msgs().some((m) => m.t === 'track' && m.track.uid === 'usa-rel-uid'), 'live track');
    for (const frame of f.frames) for (const m of USA_ONLY) expect(frame).not.toContain(m);
    f.ws.close();
  });

  it('raises the banner when a higher-labelled releasable track appears, and lowers it when that track is removed', async () => {
    b = await startBench();
    await b.feed.publish(storedEvent({ uid: 'u1', label: b.labels.jpnUnclass }));
    const f = await openFeed(b, await b.login('admin'));
    await waitFor(() => f.msgs().some((m) => m.t === 'banner'), 'first banner');
    const banners = () => f.msgs().filter((m) => m.t === 'banner').map((m) => m.label.classification);
    expect(banners()).toEqual(['UNCLASSIFIED']);
    await b.feed.publish(storedEvent({ uid: 'g1', label: b.labels.jpnGokuhi }));
    await waitFor(() => banners().length === 2, 'raised banner');
    expect(banners()).toEqual(['UNCLASSIFIED', 'GOKUHI']);
    // a withheld object never moves the banner
    await b.feed.publish(storedEvent({ uid: 'usa-only-uid', label: b.labels.usaOnly }));
    await b.feed.remove('g1', b.labels.jpnGokuhi);
    await waitFor(() => banners().length === 3, 'lowered banner');
    expect(banners()).toEqual(['UNCLASSIFIED', 'GOKUHI', 'UNCLASSIFIED']);
    expect(f.msgs().some((m) => m.t === 'remove' && m.uid === 'g1')).toBe(true);
    for (const frame of f.frames) expect(frame).not.toContain('usa-only-uid');
  });

  it('withdraws a track that is relabelled above the user, and tells nobody else about it', async () => {
    b = await startBench();
    const low = await openFeed(b, await b.login('lowop'));
    await waitFor(() => low.msgs().some((m) => m.t === 'snapshot'), 'snapshot');
    await b.feed.publish(storedEvent({ uid: 'x1', label: b.labels.jpnHi }));
    await waitFor(() => low.msgs().some((m) => m.t === 'track'), 'track');
    await b.feed.publish(storedEvent({ uid: 'x1', label: b.labels.jpnGokuhi, remarks: 'now-gokuhi' }));
    await waitFor(() => low.msgs().some((m) => m.t === 'remove' && m.uid === 'x1'), 'withdrawal');
    for (const frame of low.frames) expect(frame).not.toContain('now-gokuhi');
  });

  it('serialises each event once per audience group, not once per socket', async () => {
    b = await startBench();
    const t1 = await b.login('admin');
    const t2 = await b.login('coord');
    const t3 = await b.login('lowop');
    const socks = [await openFeed(b, t1), await openFeed(b, t2), await openFeed(b, t3)];
    for (const s of socks) await waitFor(() => s.msgs().some((m) => m.t === 'snapshot'), 'snapshot');
    const hub = apiHandle(b.app)!.hub;
    const before = hub.stats.encoded;
    await b.feed.publish(storedEvent({ uid: 'e1', label: b.labels.jpnHi }));
    for (const s of socks) await waitFor(() => s.msgs().some((m) => m.t === 'track' && m.track.uid === 'e1'), 'track on every socket');
    // admin and coord share an audience (full JPN clearance); lowop is cleared to HI: two groups, two encodings
    expect(hub.stats.encoded - before).toBe(2);
    const frames = socks.map((s) => s.frames.find((f) => f.includes('"uid":"e1"')));
    expect(frames[0]).toBe(frames[1]);
  });

  it('gathers a burst into batched WebSocket messages: every message once, in order, the banner in the batch that raised it', async () => {
    const bench = (b = await startBench());
    const f = await openFeed(bench, await bench.login('admin'));
    await waitFor(() => f.msgs().some((m) => m.t === 'snapshot'), 'snapshot');
    const from = f.frames.length;
    // unclassified first, then one GOKUHI track: the banner must rise in the same WebSocket message
    await Promise.all(Array.from({ length: 60 }, (_, i) => bench.feed.publish(storedEvent({ uid: `bt-${i}`, label: i === 59 ? bench.labels.jpnGokuhi : bench.labels.jpnUnclass }))));
    await waitFor(() => f.msgs().filter((m) => m.t === 'track' && String(m.track.uid).startsWith('bt-')).length === 60, '60 tracks');
    const frames = f.frames.slice(from);
    expect(frames.length).toBeLessThan(60);
    expect(frames.some((fr) => fr.startsWith('['))).toBe(true);
    const uids = f.msgs().filter((m) => m.t === 'track').map((m) => m.track.uid as string);
    expect(uids).toEqual(Array.from({ length: 60 }, (_, i) => `bt-${i}`));
    const withSecret = frames.find((fr) => fr.includes('"uid":"bt-59"'))!;
    const batch = [JSON.parse(withSecret)].flat() as { t: string; label?: { classification: string } }[];
    expect(batch.at(-1)).toMatchObject({ t: 'banner', label: { classification: 'GOKUHI' } });
    expect(apiHandle(bench.app)!.hub.stats.batches).toBeLessThan(apiHandle(bench.app)!.hub.stats.sent);
  });

  it('when the frame that raises the banner fills a batch (which then leaves at once), the banner still follows by itself', async () => {
    const bench = (b = await startBench());
    const f = await openFeed(bench, await bench.login('admin'));
    await waitFor(() => f.msgs().some((m) => m.t === 'snapshot'), 'snapshot');
    const remarks = 'r'.repeat(1500);
    // one frame's size, then a burst of k such frames staying just under the 64 KiB batch limit, and a GOKUHI one
    // that crosses it: that batch is sent the moment the GOKUHI frame is queued, before its banner is due
    const uid = (i: number) => `fill-${String(i).padStart(3, '0')}`; // all frames the same length
    await bench.feed.publish(storedEvent({ uid: 'probe-00', label: bench.labels.jpnUnclass, remarks }));
    await waitFor(() => f.frames.some((fr) => fr.includes('"uid":"probe-00"')), 'probe frame');
    const size = JSON.stringify(f.msgs().find((m) => m.t === 'track' && m.track.uid === 'probe-00')).length;
    const k = Math.floor((64 * 1024 - 1) / size);
    const from = f.frames.length;
    await Promise.all(
      Array.from({ length: k + 1 }, (_, i) =>
        bench.feed.publish(storedEvent({ uid: uid(i), label: i === k ? bench.labels.jpnGokuhi : bench.labels.jpnUnclass, remarks })),
      ),
    );
    await waitFor(() => f.msgs().some((m) => m.t === 'banner' && m.label.classification === 'GOKUHI'), 'GOKUHI banner with nothing else sent after it');
    const frames = f.frames.slice(from);
    // the GOKUHI track left in the batch it filled; its banner came in the next message, alone
    const withTrack = frames.findIndex((fr) => fr.includes(`"uid":"${uid(k)}"`));
    expect(frames[withTrack]!.length).toBeGreaterThanOrEqual(64 * 1024);
    expect(frames[withTrack]).not.toContain('"t":"banner"');
    expect(JSON.parse(frames[withTrack + 1]!)).toMatchObject({ t: 'banner', label: { classification: 'GOKUHI' } });
  });

  it('pushes request, chat, calendar and posture changes through the guard', async () => {
    b = await startBench();
    const admin = await b.login('admin');
    const low = await openFeed(b, await b.login('lowop'));
    const hi = await openFeed(b, admin);
    for (const s of [low, hi]) await waitFor(() => s.msgs().some((m) => m.t === 'snapshot'), 'snapshot');
    const mk = (title: string, classification: string) =>
      b!.call('POST', '/api/requests', { token: admin, body: { kind: 'hadr', title, description: '', nations: ['USA'], priority: 'routine', label: { classification } } });
    await mk('gokuhi-request-title', 'GOKUHI');
    await mk('hi-request-title', 'HI');
    await b.call('POST', '/api/chat/rooms/operations/messages', { token: admin, body: { text: 'gokuhi-chat-text', label: { classification: 'GOKUHI' } } });
    await b.call('POST', '/api/chat/rooms/operations/messages', { token: admin, body: { text: 'hi-chat-text', label: { classification: 'HI' } } });
    await b.call('POST', '/api/calendar', { token: admin, body: { title: 'hi-drill', start: '2030-01-01T00:00:00Z', end: '2030-01-02T00:00:00Z', participants: ['USA'], label: { classification: 'HI' } } });
    await b.call('POST', '/api/posture/propose', { token: admin, body: { phase: 'gray_zone' } });
    await waitFor(() => hi.msgs().some((m) => m.t === 'posture'), 'posture on the high socket');
    await waitFor(() => low.msgs().some((m) => m.t === 'posture'), 'posture on the low socket');
    const kinds = (s: typeof low) => s.msgs().map((m) => m.t);
    expect(kinds(hi)).toEqual(expect.arrayContaining(['request', 'chat', 'calendar', 'posture']));
    expect(hi.frames.some((f) => f.includes('gokuhi-request-title'))).toBe(true);
    expect(low.frames.some((f) => f.includes('hi-request-title'))).toBe(true);
    expect(low.frames.some((f) => f.includes('hi-chat-text'))).toBe(true);
    for (const f of low.frames) {
      expect(f).not.toContain('gokuhi-request-title');
      expect(f).not.toContain('gokuhi-chat-text');
    }
    const posture = low.msgs().find((m) => m.t === 'posture').posture;
    expect(posture.pending).toMatchObject({ nation: 'JPN', proposed: 'gray_zone', awaiting: ['USA'] });
  });

  it('a USA-only request arriving from a peer never reaches a JPN socket; a releasable one does', async () => {
    b = await startBench();
    const f = await openFeed(b, await b.login('admin'));
    await waitFor(() => f.msgs().some((m) => m.t === 'snapshot'), 'snapshot');
    const body = (id: string, title: string) => ({
      owner: 'USA', rev: 1, id, kind: 'isr', title, description: title, requester: 'usa-coord', nations: ['JPN', 'USA'],
      priority: 'immediate', stage: 'submitted', round: 1, createdAt: new Date().toISOString(),
    });
    const bench = b;
    const doc = (id: string, title: string, label: typeof bench.labels.usaOnly) => ({ collection: 'request', id, version: 1, updatedAt: Date.now(), label, body: body(id, title) });
    await b.coordination.applyRemote(doc('USA-000000001-aaaaaaaa', 'usa-eyes-only-title', b.labels.usaOnly), 'USA');
    await b.coordination.applyRemote(doc('USA-000000002-bbbbbbbb', 'rel-jpn-title', b.labels.usaRelJpn), 'USA');
    await waitFor(() => f.frames.some((x) => x.includes('rel-jpn-title')), 'releasable remote request');
    const m = f.msgs().find((x) => x.t === 'request');
    expect(m.request).toMatchObject({ id: 'USA-000000002-bbbbbbbb', originNation: 'USA', status: 'submitted' });
    expect(m.request.label.policy).toBe('JPN');
    for (const x of f.frames) {
      expect(x).not.toContain('usa-eyes-only-title');
      expect(x).not.toContain('USA-000000001-aaaaaaaa');
    }
  });

  it('tells a socket whose session ended {t:"expired"} and closes it', async () => {
    b = await startBench({ ws: { sessionCheckMs: 50 } });
    const token = await b.login('viewer');
    const f = await openFeed(b, token);
    await waitFor(() => f.msgs().some((m) => m.t === 'snapshot'), 'snapshot');
    await b.call('POST', '/api/auth/logout', { token, body: {} });
    const code = await f.closed;
    expect(code).toBe(4001);
    expect(f.msgs().at(-1)).toEqual({ t: 'expired' });
  });

  it('drops a socket whose send buffer would exceed the bound', async () => {
    b = await startBench({ ws: { maxBufferedBytes: 2000 } });
    const f = await openFeed(b, await b.login('admin'));
    await waitFor(() => f.msgs().some((m) => m.t === 'snapshot'), 'snapshot');
    const big = 'r'.repeat(3000);
    await b.feed.publish(storedEvent({ uid: 'big', label: b.labels.jpnHi, remarks: big }));
    await f.closed;
    expect(apiHandle(b.app)!.hub.stats.dropped).toBe(1);
    expect(apiHandle(b.app)!.hub.clientCount).toBe(0);
  });

  it('a browser that falls behind gets the latest state of every track (conflation), not a backlog or a drop', async () => {
    const bench = (b = await startBench());
    const f = await openFeed(bench, await bench.login('admin'));
    await waitFor(() => f.msgs().some((m) => m.t === 'snapshot'), 'snapshot');
    // stop reading: the server's send buffer fills once the kernel buffers are full
    const raw = (f.ws as unknown as { _socket: import('node:net').Socket })._socket;
    raw.pause();
    const pad = 'p'.repeat(8000);
    for (let v = 0; v < 60; v++) {
      // one version of all 40 tracks at a time: versions stay in order per track
      await Promise.all(Array.from({ length: 40 }, (_, u) => bench.feed.publish(storedEvent({ uid: `cf-${u}`, label: bench.labels.jpnHi, remarks: `v${v}-${pad}` }))));
    }
    raw.resume();
    const last = (u: number) => f.msgs().filter((m) => m.t === 'track' && m.track.uid === `cf-${u}`).at(-1)?.track.remarks as string | undefined;
    await waitFor(() => Array.from({ length: 40 }, (_, u) => last(u)?.startsWith('v59-')).every(Boolean), 'latest state of every track', 60_000);
    const stats = apiHandle(b.app)!.hub.stats;
    expect(stats.dropped).toBe(0);
    expect(stats.conflated).toBeGreaterThan(0);
    // fewer frames than updates reached the socket: stale positions were skipped, not queued
    expect(f.msgs().filter((m) => m.t === 'track').length).toBeLessThan(60 * 40);
    f.ws.close();
  }, 120_000); // 2,400 publishes of 8 kB: minutes, not seconds, on a loaded shared machine
});
