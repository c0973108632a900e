import type tls from 'node:tls';
import type { JWK } from 'jose';
import { labelFromJson, signBatchBinding, signBinding } from '../labels/index.js';
import type { Conn } from './link-conn.js';
import { decodeStoredEnvelope, encodeFrame, envelopeBodyParts, envelopeFrame, lengthPrefixed, withBindingJws } from './wire.js';

/**
 * Wire frames for outbox items. v3 (both sides): one BatchBinding over the digests of each run of
 * consecutive seqs, then the envelopes without their own JWS. v1/v2: each envelope signed on its own.
 * Legacy rows (already signed) go as they are in both cases.
 */
export async function outboxFrames(
  conn: Pick<Conn, 'version' | 'ackVersion'>,
  privateJwk: JWK,
  items: { seq: number; payload: Uint8Array }[],
): Promise<Uint8Array[]> {
  const stored = items.map((it) => ({ seq: it.seq, ...decodeStoredEnvelope(it.payload) }));
  const frames: Uint8Array[] = [];
  if (conn.version >= 3 && conn.ackVersion >= 3) {
    for (const run of consecutiveRuns(stored)) {
      const digests = run.map((x) => x.digest ?? new Uint8Array(0));
      if (digests.some((x) => x.length)) {
        frames.push(lengthPrefixed(encodeFrame({ batchBinding: { firstSeq: run[0]!.seq, digests, jws: signBatchBinding(privateJwk, digests) } })));
      }
      for (const x of run) frames.push(envelopeFrame(x.seq, x.body));
    }
    return frames;
  }
  for (const x of stored) {
    if (!x.digest) {
      frames.push(envelopeFrame(x.seq, x.body));
      continue;
    }
    const { labelJson, payload } = envelopeBodyParts(x.body);
    const jws = await signBinding(privateJwk, payload, labelFromJson(labelJson));
    frames.push(envelopeFrame(x.seq, withBindingJws(x.body, jws)));
  }
  return frames;
}

function consecutiveRuns<T extends { seq: number }>(items: T[]): T[][] {
  const runs: T[][] = [];
  for (const it of items) {
    const run = runs[runs.length - 1];
    if (run && run[run.length - 1]!.seq + 1 === it.seq) run.push(it);
    else runs.push([it]);
  }
  return runs;
}

/** Resolves when the socket can take more (or is gone): the sender's back-pressure. */
export function drainOrClose(sock: tls.TLSSocket): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      sock.off('drain', done).off('close', done);
      resolve();
    };
    sock.on('drain', done).on('close', done);
  });
}
