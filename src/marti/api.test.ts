import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { basic, clientIdentity, errorCode, request, startTestNode, type Identity, type TestNode } from './test-support.js';
import { openGroupBook } from './groups.js';

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

describe('/Marti/api/groups/all', () => {
  type Groups = { version: string; type: string; nodeId: string; data: { name: string; direction: string; created: string; type: string; bitpos: number; active: boolean }[] };
  const groups = async (o: { id?: Identity; port?: number; q?: string; auth?: string }) => {
    const r = await request(o.port ?? node.servers.httpsPort, { path: `/Marti/api/groups/all${o.q ?? ''}`, ca: node.pki.caCertPem, ...(o.id ? { id: o.id } : {}), headers: o.auth ? { authorization: o.auth } : {} });
    return { status: r.status, r, body: r.status === 200 ? (JSON.parse(r.body.toString()) as Groups) : undefined };
  };
  const rows = (b: Groups | undefined) => b!.data.map((g) => `${g.name}/${g.direction}`);

  it('has the TAK Server shape: envelope, SYSTEM groups with a bitpos, yyyy-MM-dd created, active', async () => {
    const { status, body } = await groups({ id: usa, q: '?useCache=true' });
    expect(status).toBe(200);
    expect(body).toMatchObject({ version: '3', type: 'com.bbn.marti.remote.groups.Group', nodeId: 'usa-1' });
    for (const g of body!.data) {
      expect(Object.keys(g).sort()).toEqual(['active', 'bitpos', 'created', 'direction', 'name', 'type']);
      expect(g).toMatchObject({ type: 'SYSTEM', active: true });
      expect(Number.isInteger(g.bitpos) && g.bitpos >= 0).toBe(true);
      expect(g.created).toMatch(/^\d{4}-\d\d-\d\d$/);
    }
  });

  it("lists only the caller's own groups, IN and OUT with useCache=true (what ATAK sends), OUT only without", async () => {
    expect(rows((await groups({ id: usa, q: '?useCache=true' })).body)).toEqual(['Cyan/IN', 'Cyan/OUT', 'Red/IN', 'Red/OUT']);
    expect(rows((await groups({ id: jpn, q: '?useCache=true&sendLatestSA=true' })).body)).toEqual(['Cyan/IN', 'Cyan/OUT']);
    expect(rows((await groups({ id: usa })).body)).toEqual(['Cyan/OUT', 'Red/OUT']);
    expect(rows((await groups({ id: usa, q: '?useCache=false' })).body)).toEqual(['Cyan/OUT', 'Red/OUT']);
    const anon = await clientIdentity(node, 'nobody', 'USA', []);
    expect(rows((await groups({ id: anon, q: '?useCache=true' })).body)).toEqual(['__ANON__/IN', '__ANON__/OUT']);
    expect(errorCode((await groups({ id: usa, q: '?useCache=maybe' })).r)).toBe('BAD_REQUEST');
  });

  it('bit positions are stable: the same for IN and OUT, for every caller, and kept in the data directory', async () => {
    const a = (await groups({ id: usa, q: '?useCache=true' })).body!.data;
    const b = (await groups({ id: jpn, q: '?useCache=true' })).body!.data;
    const pos = (d: Groups['data'], name: string) => [...new Set(d.filter((g) => g.name === name).map((g) => g.bitpos))];
    expect(pos(a, 'Cyan')).toHaveLength(1);
    expect(pos(a, 'Cyan')).toEqual(pos(b, 'Cyan'));
    expect(pos(a, 'Cyan')).not.toEqual(pos(a, 'Red'));
    // a fresh book over the same directory (a restart) gives the same positions
    const reopened = openGroupBook(node.dir);
    expect([reopened.entry('Cyan').bitpos]).toEqual(pos(a, 'Cyan'));
    expect([reopened.entry('Red').bitpos]).toEqual(pos(a, 'Red'));
    // group names are data, never object keys
    const odd = reopened.entry('__proto__').bitpos;
    expect(openGroupBook(node.dir).entry('__proto__').bitpos).toBe(odd);
    expect(openGroupBook(node.dir).entry('constructor').bitpos).toBe(odd + 1);
  });

  it('on the basic-auth port: the user\'s groups with the right password, 401 otherwise', async () => {
    const port = node.servers.enrollPort;
    const ok = await groups({ port, auth: basic('kate', 'pw'), q: '?useCache=true' });
    expect(ok.status).toBe(200);
    expect(rows(ok.body)).toEqual(['Cyan/IN', 'Cyan/OUT']);
    const bad = await groups({ port, auth: basic('kate', 'nope') });
    expect(bad.status).toBe(401);
    expect(bad.r.headers['www-authenticate']).toMatch(/^Basic /);
    expect((await groups({ port })).status).toBe(401);
  });
});
