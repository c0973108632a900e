import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { clientIdentity, request, startTestNode, type Identity, type TestNode } from './test-support.js';

let node: TestNode;
let jpn: Identity;
let usa: Identity;
beforeAll(async () => {
  node = await startTestNode();
  jpn = await clientIdentity(node, 'taro', 'JPN', ['Cyan']);
  usa = await clientIdentity(node, 'sam', 'USA', ['Cyan', 'Red']);
  const t = Date.parse('2030-01-02T03:04:05.000Z');
  node.contacts.push(
    { label: node.label({ relTo: ['JPN'] }), value: { uid: 'ANDROID-rel', callsign: 'REL', lastEventTime: t, groups: ['Cyan'], team: 'Cyan', role: 'Team Member' } },
    { label: node.label({ caveats: ['NOFORN'] }), value: { uid: 'ANDROID-noforn', callsign: 'NOFORN', lastEventTime: t, groups: ['Cyan'] } },
    { label: node.label({ relTo: ['JPN'] }), value: { uid: 'ANDROID-red', callsign: 'RED', lastEventTime: t, groups: ['Red'], connected: false } },
    { label: undefined, value: { uid: 'ANDROID-unlabelled', callsign: 'NOLABEL', lastEventTime: t, groups: ['Cyan'] } },
  );
}, 60_000);
afterAll(async () => node?.close());

const contacts = async (id: Identity, q = '') => {
  const r = await request(node.servers.httpsPort, { path: `/Marti/api/clientEndPoints${q}`, ca: node.pki.caCertPem, id });
  expect(r.status).toBe(200);
  return JSON.parse(r.body.toString()) as { version: string; type: string; nodeId: string; data: Record<string, unknown>[] };
};

describe('/Marti/api/clientEndPoints', () => {
  it('has the exact TAK Server shape (type, fractional seconds, status words)', async () => {
    const body = await contacts(usa);
    expect(body.version).toBe('3');
    expect(body.type).toBe('com.bbn.marti.remote.ClientEndpoint');
    expect(body.nodeId).toBe('usa-1');
    const rel = body.data.find((d) => d.uid === 'ANDROID-rel');
    expect(rel).toEqual({ callsign: 'REL', uid: 'ANDROID-rel', username: 'REL', team: 'Cyan', role: 'Team Member', lastEventTime: '2030-01-02T03:04:05.000Z', lastStatus: 'Connected', groups: ['Cyan'] });
    expect(body.data.find((d) => d.uid === 'ANDROID-red')?.lastStatus).toBe('Disconnected');
  });

  it('is filtered by the guard (no NOFORN, no unlabelled) and by shared groups', async () => {
    expect((await contacts(usa)).data.map((d) => d.uid).sort()).toEqual(['ANDROID-noforn', 'ANDROID-red', 'ANDROID-rel']);
    expect((await contacts(jpn)).data.map((d) => d.uid)).toEqual(['ANDROID-rel']);
    expect((await contacts(usa, '?group=Red')).data.map((d) => d.uid)).toEqual(['ANDROID-red']);
  });

  it('secAgo limits to recent events', async () => {
    node.contacts.push({ label: node.label({ relTo: ['JPN'] }), value: { uid: 'ANDROID-now', callsign: 'NOW', lastEventTime: Date.now(), groups: ['Cyan'] } });
    const old = node.contacts.find((c) => c.value.uid === 'ANDROID-rel')!;
    old.value.lastEventTime = Date.now() - 3_600_000;
    expect((await contacts(jpn, '?secAgo=60')).data.map((d) => d.uid)).toEqual(['ANDROID-now']);
  });
});
