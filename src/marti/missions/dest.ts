const MISSION_ATTR = /\bmission="([^"]*)"/;

/**
 * Mission names a CoT is addressed to (`<marti><dest mission="…"/></marti>`). A scan from tag to tag, so a
 * long detail costs linear time whatever it holds.
 */
export function missionDests(detailXml: string): string[] {
  const out: string[] = [];
  let at = detailXml.indexOf('<marti');
  while (at >= 0 && out.length < 16) {
    at = detailXml.indexOf('<dest', at + 1);
    if (at < 0) break;
    const end = detailXml.indexOf('>', at);
    if (end < 0) break;
    const m = MISSION_ATTR.exec(detailXml.slice(at, end));
    if (m) out.push(m[1]!.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'));
    at = end;
  }
  return out;
}
