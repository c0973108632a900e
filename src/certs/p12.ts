import forge from 'node-forge';

const { asn1, pki } = forge;

/** Java marks PKCS#12 certificate-only entries as trusted with this attribute (value: anyExtendedKeyUsage). */
const ORACLE_TRUSTED_KEY_USAGE = '2.16.840.1.113894.746875.1.1';
const ANY_EKU = '2.5.29.37.0';

export const DEFAULT_P12_PASSWORD = 'atakatak';

export interface P12Cert {
  der: Buffer;
  alias: string;
}

function attr(oid: string, value: forge.asn1.Asn1): forge.asn1.Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(oid).getBytes()),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, [value]),
  ]);
}
const friendlyName = (alias: string) =>
  attr(pki.oids.friendlyName!, asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BMPSTRING, false, alias));
const localKeyId = (id: string) =>
  attr(pki.oids.localKeyId!, asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, id));
const trusted = () =>
  attr(ORACLE_TRUSTED_KEY_USAGE, asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(ANY_EKU).getBytes()));

function set(items: forge.asn1.Asn1[]): forge.asn1.Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, items);
}
function dataContentInfo(safeContents: forge.asn1.Asn1): forge.asn1.Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(pki.oids.data!).getBytes()),
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, asn1.toDer(safeContents).getBytes()),
    ]),
  ]);
}

function certBag(der: Buffer, attrs: forge.asn1.Asn1[]): forge.asn1.Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(pki.oids.certBag!).getBytes()),
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
        asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(pki.oids.x509Certificate!).getBytes()),
        asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [
          asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, der.toString('binary')),
        ]),
      ]),
    ]),
    set(attrs),
  ]);
}

/**
 * PKCS#12 the way ATAK opens it: SHA-1 HMAC and PBE-SHA1-3DES for the key (OpenSSL 3's SHA-256 MAC
 * is rejected on Android, ATAK-CIV #224), one friendly name (alias) per bag. Built from DER so any
 * key type the client chose can be carried.
 *
 * With `key`: the first cert is the key's certificate (alias + localKeyId shared with the key bag).
 * Without: a certificate-only store (truststore, or the signClient v1 answer: signedCert, ca0..n).
 */
export function buildP12(o: { key?: { pkcs8Der: Buffer; alias: string }; certs: P12Cert[]; password?: string }): Buffer {
  const password = o.password ?? DEFAULT_P12_PASSWORD;
  const keyId = o.key ? forge.md.sha1.create().update(o.certs[0]!.der.toString('binary')).digest().getBytes() : '';
  const bags = o.certs.map((c, i) =>
    o.key && i === 0 ? certBag(c.der, [friendlyName(c.alias), localKeyId(keyId)]) : certBag(c.der, [friendlyName(c.alias), trusted()]),
  );
  const contents = [dataContentInfo(asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, bags))];
  if (o.key) {
    const pkInfo = asn1.fromDer(forge.util.createBuffer(o.key.pkcs8Der.toString('binary')));
    const encrypted = pki.encryptPrivateKeyInfo(pkInfo, password, { algorithm: '3des', count: 2048, saltSize: 8 });
    const keyBag = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(pki.oids.pkcs8ShroudedKeyBag!).getBytes()),
      asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [encrypted]),
      set([friendlyName(o.key.alias), localKeyId(keyId)]),
    ]);
    contents.push(dataContentInfo(asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [keyBag])));
  }
  const safe = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, contents);

  // MacData: HMAC-SHA1 with a PKCS#12-derived key (ID 3), as node-forge does for its own p12s.
  const macSalt = forge.random.getBytesSync(8);
  const count = 2048;
  const macKey = forge.pkcs12.generateKey(password, forge.util.createBuffer(macSalt), 3, count, 20);
  const hmac = forge.hmac.create();
  hmac.start('sha1', macKey);
  hmac.update(asn1.toDer(safe).getBytes());
  const macData = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
        asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(pki.oids.sha1!).getBytes()),
        asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, ''),
      ]),
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, hmac.digest().getBytes()),
    ]),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, macSalt),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(count).getBytes()),
  ]);
  const pfx = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(3).getBytes()),
    dataContentInfo(safe),
    macData,
  ]);
  return Buffer.from(asn1.toDer(pfx).getBytes(), 'binary');
}
