import { randomUUID } from 'node:crypto';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * The file-share CoT (b-f-t-r) a client sends after uploading (commo missionpackagemanager.cpp):
 * recipients fetch `senderUrl` with their own certificate and answer b-f-t-a.
 */
export function fileShareCot(o: {
  url: string;
  hash: string;
  size: number;
  filename: string;
  name: string;
  senderUid: string;
  senderCallsign: string;
  callsigns: string[];
  now?: number;
}): string {
  const now = o.now ?? Date.now();
  const t = new Date(now).toISOString();
  const stale = new Date(now + 10 * 60_000).toISOString();
  const uid = randomUUID();
  const dest = o.callsigns.map((c) => `<dest callsign="${esc(c)}"/>`).join('');
  return (
    `<event version="2.0" uid="${uid}" type="b-f-t-r" how="h-e" time="${t}" start="${t}" stale="${stale}">` +
    '<point lat="0.0" lon="0.0" hae="9999999.0" ce="9999999.0" le="9999999.0"/>' +
    '<detail>' +
    `<fileshare filename="${esc(o.filename)}" senderUrl="${esc(o.url)}" sizeInBytes="${o.size}" sha256="${o.hash}" ` +
    `senderUid="${esc(o.senderUid)}" senderCallsign="${esc(o.senderCallsign)}" name="${esc(o.name)}"/>` +
    `<ackrequest uid="${randomUUID()}" ackrequested="true" tag="${esc(o.name)}"/>` +
    (dest ? `<marti>${dest}</marti>` : '') +
    '</detail></event>'
  );
}
