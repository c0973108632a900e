import { readFileSync } from 'node:fs';
import { KizunaError } from '../util/errors.js';
import type { PeerConfig } from './config.js';

export interface ResolvedPeer {
  name: string;
  nation: string;
  host: string;
  port: number;
  caPem: string;
  publicJwk?: Record<string, unknown>;
}

/** Reads each peer's CA (the only CA trusted for it) and, when pinned, its binding public key. */
export function readPeers(peers: PeerConfig[]): ResolvedPeer[] {
  return peers.map((p) => {
    try {
      const caPem = readFileSync(p.caFile, 'utf8');
      const out: ResolvedPeer = { name: p.name, nation: p.nation, host: p.host, port: p.port, caPem };
      if (p.keyFile) out.publicJwk = JSON.parse(readFileSync(p.keyFile, 'utf8')) as Record<string, unknown>;
      return out;
    } catch (cause) {
      throw new KizunaError('CONFIG_INVALID', `peer ${p.name}: cannot read its CA or key file`, { cause });
    }
  });
}

/** Binding public keys of configured originators (nodes whose tracks may arrive relayed by a peer). */
export function readOriginators(list: { name: string; nation: string; keyFile: string }[]): { name: string; nation: string; publicJwk: Record<string, unknown> }[] {
  return list.map((o) => {
    try {
      return { name: o.name, nation: o.nation, publicJwk: JSON.parse(readFileSync(o.keyFile, 'utf8')) as Record<string, unknown> };
    } catch (cause) {
      throw new KizunaError('CONFIG_INVALID', `originator ${o.name}: cannot read its binding key file ${o.keyFile}`, { cause });
    }
  });
}
