/**
 * CoT types the server consumes and never brokers (docs/tak-protocol.md §2.6, §3.2).
 */
import { CONTROL_TYPES } from '../cot/control.js';

const { PING, PONG } = CONTROL_TYPES;
export const DELETE = 't-x-d-d';

export function isControlType(type: string): boolean {
  return (
    type === PING ||
    type === PONG ||
    type.startsWith('t-x-takp') ||
    type.startsWith('t-b') ||
    type === 't-x-c-f' ||
    type === 't-x-c-m' ||
    type.startsWith('t-x-c-i-')
  );
}

/** SA / own-position events (docs/tak-protocol.md §1.4): atoms "a-…" with a contact endpoint are contacts. */
export function isSituationalAwareness(type: string): boolean {
  return type.startsWith('a-');
}

/**
 * A client's own SA: an atom whose detail names the client's contact endpoint or its TAK version
 * (ATAK, WinTAK, iTAK send both). Tracks relayed by gateways (PyTAK, aiscot) carry neither.
 */
export function isOwnSa(ev: { type: string; uid: string; detailXml: string }): boolean {
  if (!ev.uid || !isSituationalAwareness(ev.type)) return false;
  const d = ev.detailXml;
  if (d.includes('<takv')) return true;
  // each character is looked at a bounded number of times, whatever the detail holds
  for (let pos = 0; ; ) {
    const at = d.indexOf('<contact', pos);
    if (at === -1) return false;
    const end = d.indexOf('>', at);
    const tag = d.slice(at, end === -1 ? undefined : end);
    if (tag.includes('endpoint=')) return true;
    if (end === -1) return false;
    pos = end;
  }
}

const LINK_UID = /<link\b[^>]*\buid\s*=\s*["']([^"']+)["']/;

/** The uid a t-x-d-d removes (its `<link uid>`), or undefined when it names none (e.g. PyTAK's hello). */
export function deleteTarget(detailXml: string): string | undefined {
  return LINK_UID.exec(detailXml)?.[1];
}
