/** Server → browser frame parsing. Pure (no DOM) so it is unit-tested. */
import type { ServerMessage } from '../../src/api/contract.js';

const KNOWN = new Set(['hello', 'snapshot', 'track', 'remove', 'banner', 'request', 'calendar', 'chat', 'posture', 'expired']);

/** Parses one frame; anything that is not a known message shape is reported, never thrown. */
export function parseServerMessage(data: unknown): ServerMessage | undefined {
  if (typeof data !== 'string') return undefined;
  let v: unknown;
  try {
    v = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (!v || typeof v !== 'object' || !KNOWN.has((v as { t?: unknown }).t as string)) return undefined;
  return v as ServerMessage;
}
