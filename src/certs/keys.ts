import { webcrypto, randomBytes } from 'node:crypto';
type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
import * as x509 from '@peculiar/x509';
import './identity.js';

/** RSA 2048 / SHA-256: what ATAK, WinTAK and iTAK all accept (EC client keys are not universal). */
export const RSA_ALG = {
  name: 'RSASSA-PKCS1-v1_5',
  hash: 'SHA-256',
  publicExponent: new Uint8Array([1, 0, 1]),
  modulusLength: 2048,
} as const;

export interface KeyPairPem {
  keys: CryptoKeyPair;
  privateKeyPem: string;
}

export async function generateRsaKeys(): Promise<KeyPairPem> {
  const keys = (await webcrypto.subtle.generateKey(RSA_ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { keys, privateKeyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY') };
}

export async function importRsaPrivateKey(pem: string): Promise<CryptoKey> {
  const der = x509.PemConverter.decodeFirst(pem);
  return (await webcrypto.subtle.importKey('pkcs8', der, RSA_ALG, false, ['sign'])) as CryptoKey;
}

export function pemToDer(pem: string): Buffer {
  return Buffer.from(x509.PemConverter.decodeFirst(pem));
}

/** 16 random bytes, first byte 0x01..0x7f: positive, fixed length, no leading zero to normalise away. */
export function newSerial(): string {
  const b = randomBytes(16);
  b[0] = (b[0]! & 0x7f) || 1;
  return b.toString('hex');
}
