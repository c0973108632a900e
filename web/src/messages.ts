/** Server → browser frame parsing. Pure (no DOM) so it is unit-tested. */
import type { ServerMessage } from '../../src/api/contract.js';

const KNOWN = new Set(['hello', 'snapshot', 'track', 'remove', 'banner', 'request', 'calendar', 'chat', 'posture', 'expired']);

function isMessage(v: unknown): v is ServerMessage {
  return !!v && typeof v === 'object' && KNOWN.has((v as { t?: unknown }).t as string);
}

/**
 * Parses a WebSocket message: one ServerMessage or a batch (JSON array of them, in order).
 * Unknown entries of a batch are counted in `bad` and skipped; the others still count.
 */
export function parseServerFrame(data: unknown): { messages: ServerMessage[]; bad: number } {
  if (typeof data !== 'string') return { messages: [], bad: 1 };
  let v: unknown;
  try {
    v = JSON.parse(data);
  } catch {
    return { messages: [], bad: 1 };
  }
  if (!Array.isArray(v)) return isMessage(v) ? { messages: [v], bad: 0 } : { messages: [], bad: 1 };
  const messages = v.filter(isMessage);
  return { messages, bad: v.length - messages.length };
}
