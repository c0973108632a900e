/**
 * CoT times are XML Schema dateTime strings. Clients send 0–9 fractional digits and (rarely) an
 * offset instead of 'Z'; we parse leniently and always emit UTC with 'Z' and milliseconds.
 * Hand-rolled (no regex, no Date parsing) because every inbound event carries three of them.
 */

function digits(s: string, at: number, n: number): number {
  let v = 0;
  for (let k = at; k < at + n; k++) {
    const d = s.charCodeAt(k) - 48;
    if (!(d >= 0 && d <= 9)) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** ms since epoch, or NaN when `s` is not a plausible dateTime (a missing zone means UTC). */
export function cotTimeToMs(s: string): number {
  // YYYY-MM-DDTHH:MM:SS
  if (s.length < 19 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84) return NaN;
  if (s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return NaN;
  const y = digits(s, 0, 4);
  const mo = digits(s, 5, 2);
  const d = digits(s, 8, 2);
  const h = digits(s, 11, 2);
  const mi = digits(s, 14, 2);
  const sec = digits(s, 17, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60) return NaN;
  let i = 19;
  let ms = 0;
  if (s.charCodeAt(i) === 46 /* . */) {
    const start = ++i;
    while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
    const n = i - start;
    if (n === 0 || n > 9) return NaN;
    // keep milliseconds, truncate the rest
    ms = digits(s, start, Math.min(n, 3)) * (n === 1 ? 100 : n === 2 ? 10 : 1);
  }
  let offsetMin = 0;
  if (i < s.length) {
    const z = s.charCodeAt(i);
    if ((z === 90 || z === 122) /* Z z */ && i + 1 === s.length) {
      // UTC
    } else if ((z === 43 || z === 45) /* + - */ && i + 6 === s.length && s.charCodeAt(i + 3) === 58) {
      const oh = digits(s, i + 1, 2);
      const om = digits(s, i + 4, 2);
      if (oh < 0 || om < 0) return NaN;
      offsetMin = (z === 45 ? -1 : 1) * (oh * 60 + om);
    } else {
      return NaN;
    }
  }
  return Date.UTC(y, mo - 1, d, h, mi, sec, ms) - offsetMin * 60_000;
}

/** The canonical CoT form of a time: `YYYY-MM-DDTHH:MM:SS.mmmZ`. */
export function cotTime(ms: number): string {
  return new Date(ms).toISOString();
}
