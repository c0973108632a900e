import type { CotEvent } from '../cot/model.js';
import type { Audience, SecurityLabel } from '../labels/types.js';
import { decodeAttr, readAttributes, scanXml, splitQName } from '../cot/xml-scan.js';

/**
 * File-share notifications (b-f-t-r) carry the label of the file they point at, not the
 * sender's default label: a recipient gets the notification only when the guard would give him the
 * file itself. The node looks the hash up in its own Marti file store.
 */

export const FILESHARE_TYPE = 'b-f-t-r';

export interface FileLookup {
  byHash(hash: string): readonly { label: SecurityLabel; creatorUid: string; submittedAt: string }[];
}

export interface FileShareLabelDeps {
  files: FileLookup;
  /** the release decision for one label and audience (the node's guard) */
  allows(label: SecurityLabel, audience: Audience): boolean;
  /** high-water mark of several labels (labels' combineLabels) */
  combine(labels: SecurityLabel[]): SecurityLabel;
}

const SHA256 = /^[0-9a-f]{64}$/;

/** sha256 hashes a b-f-t-r references: `fileshare@sha256` and the `hash=` of `fileshare@senderUrl`. */
export function fileShareHashes(ev: CotEvent): string[] {
  if (ev.type !== FILESHARE_TYPE || !ev.detailXml) return [];
  let records;
  try {
    records = scanXml(ev.detailXml, 'fragment', 0).records;
  } catch {
    return [];
  }
  const out = new Set<string>();
  for (const r of records) {
    if (splitQName(r.name).local !== 'fileshare') continue;
    const a = readAttributes(ev.detailXml, r.start);
    const sha = a.get('sha256');
    if (sha) out.add(decodeAttr(sha).trim().toLowerCase());
    const url = a.get('senderUrl');
    if (url) {
      try {
        const h = new URL(decodeAttr(url)).searchParams.get('hash');
        if (h) out.add(h.trim().toLowerCase());
      } catch {
        /* a peer-to-peer senderUrl need not be a URL we can read */
      }
    }
  }
  return [...out].filter((h) => SHA256.test(h));
}

/**
 * The label a b-f-t-r from `sender` must carry, or undefined when it references no file of this node.
 * Several records may hold the same content: the sender's own upload (creatorUid) wins, then the newest
 * record the sender may see; when the sender may see none, the high-water mark of all of them (the
 * ingest check then refuses the event: nobody announces a file he may not read).
 * An explicit label on the event is kept when it is higher (combined), never lowered.
 */
export function fileShareLabel(
  d: FileShareLabelDeps,
  ev: CotEvent,
  sender: { uid?: string | undefined; audience: Audience },
  explicit?: SecurityLabel,
): SecurityLabel | undefined {
  const picked: SecurityLabel[] = [];
  for (const hash of fileShareHashes(ev)) {
    const records = d.files.byHash(hash);
    if (!records.length) continue;
    const visible = records.filter((r) => d.allows(r.label, sender.audience));
    if (!visible.length) {
      picked.push(d.combine(records.map((r) => r.label)));
      continue;
    }
    const newestFirst = [...visible].sort((a, b) => (a.submittedAt < b.submittedAt ? 1 : a.submittedAt > b.submittedAt ? -1 : 0));
    const own = sender.uid ? newestFirst.find((r) => r.creatorUid === sender.uid) : undefined;
    picked.push((own ?? newestFirst[0]!).label);
  }
  if (!picked.length) return undefined;
  if (picked.length === 1 && !explicit) return picked[0]; // the file's own label, untouched
  return d.combine(explicit ? [explicit, ...picked] : picked);
}
