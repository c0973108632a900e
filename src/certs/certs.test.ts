import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, statSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import * as tls from 'node:tls';
import forge from 'node-forge';
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';
import {
  ensureNodePki,
  issueClientCert,
  identityOfCert,
  buildConnectionPackage,
  openRevocations,
  createEnrollToken,
  checkEnrollToken,
  consumeEnrollToken,
  type NodePki,
} from './index.js';
import { pemToDer } from './keys.js';
import { readZip } from './test-support.js';
import { isKizunaError } from '../util/errors.js';


export async function makeCsr(cn: string): Promise<{ csrPem: string; keyPem: string }> {
  const alg = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: `CN=${cn}, O=Unit`, keys, signingAlgorithm: alg });
  const keyPem = x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY');
  return { csrPem: csr.toString('pem'), keyPem };
}

function openP12(p12: Buffer, password: string) {
  return forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(p12.toString('binary')), password);
}
function aliases(p: forge.pkcs12.Pkcs12Pfx): string[] {
  return p.safeContents.flatMap((sc) => sc.safeBags.map((b) => `${b.type === forge.pki.oids.certBag ? 'cert' : 'key'}:${b.attributes.friendlyName?.[0]}`));
}

let dir: string;
let pki: NodePki;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kizuna-certs-'));
  pki = await ensureNodePki(dir, { nation: 'JPN', nodeId: 'jpn-1', hosts: ['tak.example.jp', '10.0.0.5'] });
}, 60_000);

describe('node PKI', () => {
  it('creates CA, server and node certificates once; keys are owner-only', async () => {
    for (const f of ['ca.pem', 'ca.key', 'server.pem', 'server.key', 'node.pem', 'node.key']) expect(statSync(join(dir, 'pki', f)).isFile()).toBe(true);
    expect(statSync(join(dir, 'pki', 'ca.key')).mode & 0o077).toBe(0);
    const again = await ensureNodePki(dir, { nation: 'JPN', nodeId: 'jpn-1', hosts: [] });
    expect(again.caCertPem).toBe(pki.caCertPem);
    expect(again.serverKeyPem).toBe(pki.serverKeyPem);
    await expect(ensureNodePki(dir, { nation: 'USA', nodeId: 'x', hosts: [] })).rejects.toSatisfy((e) => isKizunaError(e, 'CONFIG_INVALID'));
  });

  it('server certificate chains to the CA and names the hosts; node certificate carries its node id', () => {
    const ca = new X509Certificate(pki.caCertPem);
    const server = new X509Certificate(pki.serverCertPem);
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(server.checkIssued(ca)).toBe(true);
    expect(server.checkHost('tak.example.jp')).toBe('tak.example.jp');
    expect(server.checkIP('10.0.0.5')).toBe('10.0.0.5');
    expect(ca.ca).toBe(true);
    const node = identityOfCert(pemToDer(pki.nodeCertPem));
    expect(node).toMatchObject({ nation: 'JPN', kind: 'node', nodeId: 'jpn-1' });
    expect(new X509Certificate(pki.nodeCertPem).keyUsage).toEqual(expect.arrayContaining(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']));
  });
});

describe('client certificates', () => {
  it('identity survives the round trip through the certificate (groups with odd characters too)', async () => {
    const groups = ['Cyan', 'Team Red/Blue', '東京', '__ANON__'];
    const c = await issueClientCert(pki, { name: 'alice@jsdf', nation: 'JPN', groups, role: 'operator' });
    const id = identityOfCert(pemToDer(c.certPem));
    expect(id).toEqual({ name: 'alice@jsdf', nation: 'JPN', groups, role: 'operator', serial: c.serial, kind: 'client' });
    const cert = new X509Certificate(c.certPem);
    expect(cert.verify(new X509Certificate(pki.caCertPem).publicKey)).toBe(true);
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(cert.serialNumber.toLowerCase().replace(/^0+/, '')).toBe(c.serial);
    expect(identityOfCert(pemToDer(pki.serverCertPem))).toBeUndefined();
    expect(identityOfCert(Buffer.from('not a cert'))).toBeUndefined();
  });

  it('p12 opens with atakatak, has a SHA-1 MAC, a 3DES-shrouded key and the expected aliases', async () => {
    const c = await issueClientCert(pki, { name: 'bob', nation: 'JPN', groups: ['Cyan'], role: 'viewer' });
    const p12 = c.p12!;
    const parsed = openP12(p12, 'atakatak');
    expect(aliases(parsed).sort()).toEqual(['cert:bob', 'cert:ca0', 'key:bob']);
    const keyBag = parsed.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag! })[forge.pki.oids.pkcs8ShroudedKeyBag!]![0]!;
    expect(keyBag.attributes.localKeyId?.[0]).toBeDefined();
    expect(() => openP12(p12, 'wrong')).toThrow();
    // MAC digest algorithm and key PBE algorithm, read from the ASN.1 itself
    const pfx = forge.asn1.fromDer(p12.toString('binary'));
    const kids = (n: forge.asn1.Asn1, i: number) => (n.value as forge.asn1.Asn1[])[i]!;
    // PFX.macData.mac.digestAlgorithm.algorithm
    const macOid = forge.asn1.derToOid(kids(kids(kids(kids(pfx, 2), 0), 0), 0).value as string);
    expect(macOid).toBe(forge.pki.oids.sha1);
    expect(p12.includes(Buffer.from(forge.asn1.oidToDer(forge.pki.oids['pbeWithSHAAnd3-KeyTripleDES-CBC']!).getBytes(), 'binary'))).toBe(true);
    // OpenSSL (through Node) loads it as a TLS identity
    expect(() => tls.createSecureContext({ pfx: p12, passphrase: 'atakatak' })).not.toThrow();
  });

  it('issues for a CSR (client keeps its key) and refuses a CN mismatch, garbage and a forged signature', async () => {
    const { csrPem } = await makeCsr('carol');
    const c = await issueClientCert(pki, { name: 'carol', nation: 'JPN', groups: ['Cyan'], role: 'operator', csrPem });
    expect(c.keyPem).toBeUndefined();
    expect(c.p12).toBeUndefined();
    const csrKey = new x509.Pkcs10CertificateRequest(csrPem).publicKey.rawData;
    expect(Buffer.from(new x509.X509Certificate(c.certPem).publicKey.rawData).equals(Buffer.from(csrKey))).toBe(true);
    // bare base64 as ATAK sends it
    const bare = csrPem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
    await expect(issueClientCert(pki, { name: 'carol', nation: 'JPN', groups: [], role: 'operator', csrPem: bare })).resolves.toBeDefined();
    await expect(issueClientCert(pki, { name: 'mallory', nation: 'JPN', groups: [], role: 'operator', csrPem })).rejects.toSatisfy((e) => isKizunaError(e, 'CERT_INVALID'));
    await expect(issueClientCert(pki, { name: 'carol', nation: 'JPN', groups: [], role: 'operator', csrPem: 'AAAA' })).rejects.toSatisfy((e) => isKizunaError(e, 'CERT_INVALID'));
    const der = Buffer.from(bare, 'base64');
    der[der.length - 5]! ^= 0xff; // flip a signature byte
    await expect(issueClientCert(pki, { name: 'carol', nation: 'JPN', groups: [], role: 'operator', csrPem: der.toString('base64') })).rejects.toSatisfy((e) => isKizunaError(e, 'CERT_INVALID'));
  });

  it('refuses names that could escape a directory or break a DN', async () => {
    for (const name of ['../x', 'a/b', '', '.hidden', 'x'.repeat(65)]) {
      await expect(issueClientCert(pki, { name, nation: 'JPN', groups: [], role: 'operator' })).rejects.toSatisfy((e) => isKizunaError(e, 'CERT_INVALID'));
    }
  });
});

describe('connection data package', () => {
  it('holds manifest, server.pref and truststore (+ client p12) with matching paths', async () => {
    const c = await issueClientCert(pki, { name: 'dave', nation: 'JPN', groups: ['Cyan'], role: 'operator' });
    const zip = await buildConnectionPackage({ name: 'dave', host: 'tak.example.jp', tlsPort: 8089, caCertPem: pki.caCertPem, clientP12: c.p12! });
    const files = readZip(zip);
    expect([...files.keys()].sort()).toEqual(['MANIFEST/manifest.xml', 'certs/dave.p12', 'certs/server.pref', 'certs/truststore-dave.p12']);
    const manifest = files.get('MANIFEST/manifest.xml')!.toString();
    expect(manifest).toContain('<MissionPackageManifest version="2">');
    for (const e of ['certs/server.pref', 'certs/truststore-dave.p12', 'certs/dave.p12']) expect(manifest).toContain(`zipEntry="${e}"`);
    const pref = files.get('certs/server.pref')!.toString();
    expect(pref).toContain('<entry key="connectString0" class="class java.lang.String">tak.example.jp:8089:ssl</entry>');
    expect(pref).toContain('<entry key="caLocation0" class="class java.lang.String">cert/truststore-dave.p12</entry>');
    expect(pref).toContain('<entry key="certificateLocation0" class="class java.lang.String">cert/dave.p12</entry>');
    expect(pref).toContain('<entry key="count" class="class java.lang.Integer">1</entry>');
    const trust = openP12(files.get('certs/truststore-dave.p12')!, 'atakatak');
    const certs = trust.getBags({ bagType: forge.pki.oids.certBag! })[forge.pki.oids.certBag!]!;
    expect(certs).toHaveLength(1);
    expect(forge.pki.certificateToPem(certs[0]!.cert!).replace(/\s+/g, '')).toBe(pki.caCertPem.replace(/\s+/g, ''));
    expect(files.get('certs/dave.p12')!.equals(c.p12!)).toBe(true);
  });

  it('an enrollment package carries only the truststore and asks ATAK to enroll', async () => {
    const files = readZip(await buildConnectionPackage({ name: 'JPN node', host: 'h', tlsPort: 8089, caCertPem: pki.caCertPem }));
    expect([...files.keys()].sort()).toEqual(['MANIFEST/manifest.xml', 'certs/server.pref', 'certs/truststore-JPN_node.p12']);
    const pref = files.get('certs/server.pref')!.toString();
    expect(pref).toContain('<entry key="enrollForCertificateWithTrust0" class="class java.lang.Boolean">true</entry>');
    expect(pref).toContain('<entry key="useAuth0" class="class java.lang.Boolean">true</entry>');
  });
});

describe('revocations', () => {
  it('revokes by name, persists, normalises serials and tells other processes', async () => {
    const c1 = await issueClientCert(pki, { name: 'erin', nation: 'JPN', groups: [], role: 'operator' });
    const c2 = await issueClientCert(pki, { name: 'erin', nation: 'JPN', groups: [], role: 'operator' });
    const other = await issueClientCert(pki, { name: 'frank', nation: 'JPN', groups: [], role: 'operator' });
    const node = openRevocations(dir, { pollMs: 20 });
    const heard: string[] = [];
    const both = new Promise<void>((resolve) =>
      node.onRevoke((s) => {
        heard.push(s);
        if (heard.length === 2) resolve();
      }),
    );
    const cli = openRevocations(dir);
    expect(cli.revoke('erin').sort()).toEqual([c1.serial, c2.serial].sort());
    expect(cli.revoke('erin')).toEqual([]);
    await both; // the node instance learnt it from the file
    expect(heard.sort()).toEqual([c1.serial, c2.serial].sort());
    expect(node.isRevoked(c1.serial.toUpperCase())).toBe(true);
    expect(node.isRevoked('00' + c2.serial)).toBe(true);
    expect(node.isRevoked(other.serial)).toBe(false);
    expect(() => cli.revoke('nobody')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(openRevocations(dir).list().map((e) => e.name)).toEqual(['erin', 'erin']);
    expect(JSON.parse(readFileSync(join(dir, 'pki', 'revoked.json'), 'utf8')).entries).toHaveLength(2);
    node.close();
    cli.close();
  }, 120_000); // a failure guard: three certificates with fresh keys take 5 s alone and over 30 s on a loaded machine
});

describe('enrollment tokens', () => {
  it('are one-time, time-limited and bound to the name', () => {
    const t0 = Date.parse('2030-01-01T00:00:00Z');
    const { token } = createEnrollToken(dir, { name: 'gina', groups: ['Cyan'], role: 'viewer', ttlMs: 60_000, now: t0 });
    expect(checkEnrollToken(dir, 'gina', token, t0 + 1000)).toMatchObject({ name: 'gina', groups: ['Cyan'], role: 'viewer' });
    expect(() => checkEnrollToken(dir, 'henry', token, t0)).toThrow(expect.objectContaining({ code: 'TOKEN_INVALID' }));
    expect(() => checkEnrollToken(dir, 'gina', token + 'x', t0)).toThrow(expect.objectContaining({ code: 'TOKEN_INVALID' }));
    expect(() => checkEnrollToken(dir, 'gina', token, t0 + 60_001)).toThrow(expect.objectContaining({ code: 'TOKEN_INVALID' }));
    consumeEnrollToken(dir, 'gina', token, t0 + 2000);
    expect(() => consumeEnrollToken(dir, 'gina', token, t0 + 3000)).toThrow(expect.objectContaining({ code: 'TOKEN_INVALID' }));
    expect(readFileSync(join(dir, 'pki', 'enroll-tokens.json'), 'utf8')).not.toContain(token);
  });
});
