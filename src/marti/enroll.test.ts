import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import forge from 'node-forge';
import * as https from 'node:https';
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';
import { createEnrollToken, identityOfCert } from '../certs/index.js';
import { basic, clientIdentity, errorCode, request, startTestNode, type TestNode } from './test-support.js';
import { SERVER_VERSION } from './api.js';

/** What ATAK does: its own RSA key and a PKCS#10 CSR with CN=<username> plus the config's name entries. */
async function clientCsr(cn: string): Promise<{ bare: string; keyPem: string }> {
  const alg = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: `CN=${cn}, O=USA`, keys, signingAlgorithm: alg });
  const keyPem = x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY');
  return { bare: Buffer.from(csr.rawData).toString('base64'), keyPem };
}

let node: TestNode;
let ca: string;
beforeAll(async () => {
  node = await startTestNode();
  ca = node.pki.caCertPem;
}, 60_000);
afterAll(async () => node?.close());

const enroll = (o: Parameters<typeof request>[1]) => request(node.servers.enrollPort, o);
const api = (o: Parameters<typeof request>[1]) => request(node.servers.httpsPort, o);

describe('enrollment (8446) end to end with a one-time token', () => {
  it('config, CSR, v1 PKCS#12 with signedCert/ca0, then the new certificate is accepted on the client-cert port', async () => {
    const { token } = createEnrollToken(node.dir, { name: 'ivan', groups: ['Cyan', 'Magenta'], role: 'operator', ttlMs: 600_000 });
    const auth = { authorization: basic('ivan', token) };

    const config = await enroll({ path: '/Marti/api/tls/config', ca, headers: auth });
    expect(config.status).toBe(200);
    expect(config.headers['content-type']).toMatch(/^text\/plain/);
    expect(config.body.toString()).toContain('<nameEntry name="O" value="USA"/>');
    expect(config.body.toString()).toContain('xmlns="http://bbn.com/marti/xml/config"');

    const { bare, keyPem } = await clientCsr('ivan');
    const signed = await enroll({ method: 'POST', path: '/Marti/api/tls/signClient?clientUid=ANDROID-1&version=4.6', ca, headers: auth, body: bare });
    expect(signed.status).toBe(200);
    expect(signed.headers['content-type']).toBe('application/x-pkcs12');
    const p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(signed.body.toString('binary')), 'atakatak');
    const bags = p12.getBags({ bagType: forge.pki.oids.certBag! })[forge.pki.oids.certBag!]!;
    expect(bags.map((b) => b.attributes.friendlyName?.[0]).sort()).toEqual(['ca0', 'signedCert']);
    expect(p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag! })[forge.pki.oids.pkcs8ShroudedKeyBag!]).toHaveLength(0);
    const certPem = forge.pki.certificateToPem(bags.find((b) => b.attributes.friendlyName?.[0] === 'signedCert')!.cert!);
    const id = identityOfCert(Buffer.from(new x509.X509Certificate(certPem).rawData));
    expect(id).toMatchObject({ name: 'ivan', nation: 'USA', groups: ['Cyan', 'Magenta'], role: 'operator', kind: 'client' });

    // the phone now connects with its own key and the signed certificate
    const v = await api({ path: '/Marti/api/version/config', ca, id: { key: keyPem, cert: certPem } });
    expect(v.status).toBe(200);
    expect(JSON.parse(v.body.toString())).toMatchObject({ type: 'ServerConfig', data: { version: '5.7.14-RELEASE', api: '3' }, nodeId: 'usa-1' });

    // the token is spent
    const again = await enroll({ method: 'POST', path: '/Marti/api/tls/signClient', ca, headers: auth, body: (await clientCsr('ivan')).bare });
    expect(again.status).toBe(401);
    expect(errorCode(again)).toBe('TOKEN_INVALID');
    expect(node.audits.filter((a) => a.kind === 'cert.enroll' && a.actor === 'ivan')).toHaveLength(1);
    expect(node.audits.some((a) => a.kind === 'cert.enroll.denied' && a.actor === 'ivan')).toBe(true);
  });

  it('v2 answers JSON by default and XML on request (password user)', async () => {
    const auth = { authorization: basic('kate', 'pw') };
    const json = await enroll({ method: 'POST', path: '/Marti/api/tls/signClient/v2?clientUid=iTAK-1', ca, headers: auth, body: (await clientCsr('kate')).bare });
    expect(json.status).toBe(200);
    const j = JSON.parse(json.body.toString()) as { signedCert: string; ca0: string };
    expect(j.signedCert.split('\n').every((l) => l.length <= 64)).toBe(true);
    expect(identityOfCert(Buffer.from(j.signedCert.replace(/\n/g, ''), 'base64'))).toMatchObject({ name: 'kate', nation: 'USA', groups: ['Cyan'] });
    expect(Buffer.from(j.ca0.replace(/\n/g, ''), 'base64').equals(Buffer.from(new x509.X509Certificate(ca).rawData))).toBe(true);

    const xml = await enroll({ method: 'POST', path: '/Marti/api/tls/signClient/v2', ca, headers: { ...auth, accept: 'application/xml' }, body: (await clientCsr('kate')).bare });
    expect(xml.status).toBe(200);
    expect(xml.body.toString()).toMatch(/^<enrollment><signedCert>[A-Za-z0-9+/=\n]+<\/signedCert><ca>[A-Za-z0-9+/=\n]+<\/ca><\/enrollment>$/);
  });

  it('refuses a wrong password, a missing one, an expired token and a CSR for another name (token survives)', async () => {
    const wrong = await enroll({ path: '/Marti/api/tls/config', ca, headers: { authorization: basic('kate', 'nope') } });
    expect(wrong.status).toBe(401);
    expect(errorCode(wrong)).toBe('UNAUTHENTICATED');
    expect(wrong.headers['www-authenticate']).toMatch(/^Basic/);
    const none = await enroll({ path: '/Marti/api/tls/config', ca });
    expect(errorCode(none)).toBe('UNAUTHENTICATED');

    const old = createEnrollToken(node.dir, { name: 'olga', ttlMs: 1000, now: Date.now() - 10_000 });
    const expired = await enroll({ path: '/Marti/api/tls/config', ca, headers: { authorization: basic('olga', old.token) } });
    expect(expired.status).toBe(401);
    expect(errorCode(expired)).toBe('TOKEN_INVALID');

    const t = createEnrollToken(node.dir, { name: 'pete', ttlMs: 600_000 });
    const auth = { authorization: basic('pete', t.token) };
    const mismatch = await enroll({ method: 'POST', path: '/Marti/api/tls/signClient', ca, headers: auth, body: (await clientCsr('admin')).bare });
    expect(mismatch.status).toBe(400);
    expect(errorCode(mismatch)).toBe('CERT_INVALID');
    const garbage = await enroll({ method: 'POST', path: '/Marti/api/tls/signClient', ca, headers: auth, body: 'not a csr' });
    expect(errorCode(garbage)).toBe('CERT_INVALID');
    const ok = await enroll({ method: 'POST', path: '/Marti/api/tls/signClient', ca, headers: auth, body: (await clientCsr('pete')).bare });
    expect(ok.status).toBe(200);
  });

  it('the enrollment port does not serve the client-certificate API', async () => {
    const r = await enroll({ path: '/Marti/api/clientEndPoints', ca, headers: { authorization: basic('kate', 'pw') } });
    expect(r.status).toBe(404);
  });
});

describe('client-certificate port (8443)', () => {
  it('serves the version string ATAK looks for, and refuses connections without a certificate', async () => {
    const id = await clientIdentity(node, 'quinn');
    const v = await api({ path: '/Marti/api/version', ca, id });
    expect(v.body.toString()).toBe(SERVER_VERSION);
    expect(v.body.toString()).toContain('TAK Server');
    await expect(api({ path: '/Marti/api/version', ca })).rejects.toThrow();
  });

  it('a certificate from another CA is refused', async () => {
    const { startTestNode: start } = await import('./test-support.js');
    const other = await start();
    try {
      const foreign = await clientIdentity(other, 'rogue');
      await expect(api({ path: '/Marti/api/version', ca, id: foreign })).rejects.toThrow();
    } finally {
      await other.close();
    }
  });

  it('revocation closes the live connection and refuses the next handshake', async () => {
    const id = await clientIdentity(node, 'leo');
    const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
    const first = await api({ path: '/Marti/api/version', ca, id, agent });
    expect(first.status).toBe(200);
    const sockets = Object.values(agent.freeSockets).flat();
    expect(sockets).toHaveLength(1);
    const closed = new Promise<void>((resolve) => sockets[0]!.once('close', () => resolve()));
    // revoked by "another process" (the CLI writes the file; the node notices)
    const { openRevocations } = await import('../certs/index.js');
    const cli = openRevocations(node.dir);
    expect(cli.revoke('leo')).toEqual([id.serial]);
    cli.close();
    await closed;
    await expect(api({ path: '/Marti/api/version', ca, id })).rejects.toThrow();
    agent.destroy();
    // others are unaffected
    const other = await clientIdentity(node, 'mia');
    expect((await api({ path: '/Marti/api/version', ca, id: other })).status).toBe(200);
  });
});
