import { describe, expect, it } from 'vitest';
import { LineSplitter } from './transports.js';

function feed(pieces: string[], max = 16): { lines: string[]; bad: number } {
  const out = { lines: [] as string[], bad: 0 };
  const s = new LineSplitter({ line: (l) => out.lines.push(l), bad: () => out.bad++, state: () => undefined }, max);
  for (const p of pieces) s.push(p);
  s.flush();
  return out;
}

/** Every way of cutting `text` in two gives what the whole gives (TCP may split anywhere). */
function everyCut(text: string, max = 16): void {
  const whole = feed([text], max);
  for (let i = 1; i < text.length; i++) expect(feed([text.slice(0, i), text.slice(i)], max), `cut at ${i}`).toEqual(whole);
}

describe('LineSplitter', () => {
  it('a line of exactly the limit ending in CRLF is kept wherever the stream is cut (also between CR and LF)', () => {
    const line = 'x'.repeat(16);
    expect(feed([`${line}\r\nA\n`])).toEqual({ lines: [line, 'A'], bad: 0 });
    everyCut(`${line}\r\nA\n`);
  });

  it('a line over the limit is dropped whole and counted once, wherever it is cut', () => {
    expect(feed([`${'y'.repeat(17)}\nB\r\n`])).toEqual({ lines: ['B'], bad: 1 });
    everyCut(`${'y'.repeat(17)}\nB\r\n`);
    everyCut(`${'z'.repeat(40)}\r\nC\nD`);
  });

  it('blank lines are skipped and the last line without a line end is kept at flush', () => {
    expect(feed(['\r\n\nE\r\n', 'F'])).toEqual({ lines: ['E', 'F'], bad: 0 });
  });

  it('a sender that never sends a line end holds at most one line of memory; it is counted once and the stream resumes', () => {
    const out = { lines: [] as string[], bad: 0 };
    const s = new LineSplitter({ line: (l) => out.lines.push(l), bad: () => out.bad++, state: () => undefined }, 16);
    let held = 0;
    for (let i = 0; i < 10_000; i++) {
      s.push('q'.repeat(10));
      held = Math.max(held, (s as unknown as { rest: string }).rest.length);
    }
    s.push('\nOK\n');
    expect(held).toBeLessThanOrEqual(17);
    expect(out).toEqual({ lines: ['OK'], bad: 1 });
  });
});
