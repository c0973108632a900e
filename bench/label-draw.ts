/**
 * Callsign label drawing in real headless Chromium, one canvas the size of the COP map (1400×860), the
 * ways of drawing a label with a dark halo compared in the same page and run:
 *
 *   shadowBlur   fillText with a canvas shadow as halo, every label every frame (the overlay before)
 *   strokeText   strokeText (round joins) + fillText every label every frame
 *   ImageBitmap per label   each label drawn once, kept as an ImageBitmap (OffscreenCanvas.transferToImageBitmap)
 *   atlas canvas            each label drawn once into one big canvas, copied out by source rectangle
 *   LabelCache              web/src/label-sprites.ts: each callsign drawn once (ImageBitmap, LRU), one drawImage per frame
 *
 *   npx tsx bench/label-draw.ts [--labels 165,2000] [--frames 200]
 *
 * 165 is how many full symbols (so labels) the overlay draws for 2,000 tracks with declutter on at the
 * bench's opening view; 2,000 is declutter off. Every mode runs in a fresh page. Each frame clears the canvas, draws every label, then reads
 * one pixel back so Skia rasterises the frame inside the timed section. Per-frame ms is what the overlay
 * spends on labels in each redraw; it depends far less on the machine's load than frames per second.
 */
import { loadavg, cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { launchChromium, newContext } from '../test/e2e/support/browser.js';

const { values } = parseArgs({ options: { labels: { type: 'string', default: '165,2000' }, frames: { type: 'string', default: '200' } } });
const SIZES = values.labels.split(',').map(Number);
const FRAMES = Number(values.frames);

const bundle = await build({
  stdin: { contents: "import { LabelCache } from './web/src/label-sprites.ts'; (globalThis as any).LabelCache = LabelCache;", resolveDir: process.cwd(), loader: 'ts' },
  bundle: true, format: 'iife', write: false, target: 'es2022',
});

/** Runs in the page: per-frame ms for each mode at n labels. */
const pageBench = `async (arg) => {
  const { n, frames, only } = arg;
  const W = 1400, H = 860, ratio = 1;
  const canvas = document.createElement('canvas');
  canvas.width = W; canvas.height = H;
  document.body.append(canvas);
  const ctx = canvas.getContext('2d');
  const xs = [], ys = [], names = [];
  for (let i = 0; i < n; i++) { xs.push(20 + (i * 97) % (W - 120)); ys.push(10 + ((i * 53) % (H - 20))); names.push('R' + i); }
  const font = "600 11px system-ui, 'Noto Sans JP', sans-serif";
  // variants of the bitmap: one canvas per label, or all labels packed in one atlas canvas
  const labelCanvas = (text) => {
    const m = document.createElement('canvas').getContext('2d'); m.font = font;
    const w = Math.ceil(m.measureText(text).width) + 6, h = 21;
    const c = document.createElement('canvas'); c.width = w; c.height = h;
    const g = c.getContext('2d'); g.font = font; g.textBaseline = 'middle'; g.lineJoin = 'round'; g.lineWidth = 3;
    g.strokeStyle = 'rgba(0,0,0,0.95)'; g.fillStyle = '#f0f4f8'; g.strokeText(text, 3, h / 2); g.fillText(text, 3, h / 2);
    return c;
  };
  const modes = {
    shadowBlur: () => {
      ctx.font = font; ctx.textBaseline = 'middle'; ctx.fillStyle = '#f0f4f8';
      ctx.shadowColor = 'rgba(0,0,0,0.95)'; ctx.shadowBlur = 2 * ratio;
      for (let i = 0; i < n; i++) ctx.fillText(names[i], xs[i], ys[i]);
      ctx.shadowBlur = 0; ctx.shadowColor = 'transparent';
    },
    strokeText: () => {
      ctx.font = font; ctx.textBaseline = 'middle'; ctx.fillStyle = '#f0f4f8';
      ctx.strokeStyle = 'rgba(0,0,0,0.95)'; ctx.lineWidth = 3; ctx.lineJoin = 'round';
      for (let i = 0; i < n; i++) { ctx.strokeText(names[i], xs[i], ys[i]); ctx.fillText(names[i], xs[i], ys[i]); }
    },
    'ImageBitmap per label': (() => {
      const bs = new Map();
      const bitmap = (text) => { const c = labelCanvas(text); const o = new OffscreenCanvas(c.width, c.height); o.getContext('2d').drawImage(c, 0, 0); return o.transferToImageBitmap(); };
      return () => { for (let i = 0; i < n; i++) { let b = bs.get(names[i]); if (!b) bs.set(names[i], (b = bitmap(names[i]))); ctx.drawImage(b, xs[i], ys[i] - 10); } };
    })(),
    'atlas canvas': (() => {
      const atlas = document.createElement('canvas'); atlas.width = 2048; atlas.height = 2048;
      const a = atlas.getContext('2d'); const slots = new Map(); let ax = 0, ay = 0;
      return () => {
        for (let i = 0; i < n; i++) {
          let s = slots.get(names[i]);
          if (!s) { const c = labelCanvas(names[i]); if (ax + c.width > 2048) { ax = 0; ay += 21; } a.drawImage(c, ax, ay); s = [ax, ay, c.width]; ax += c.width; slots.set(names[i], s); }
          ctx.drawImage(atlas, s[0], s[1], s[2], 21, xs[i], ys[i] - 10, s[2], 21);
        }
      };
    })(),
    'LabelCache': (() => {
      const cache = new globalThis.LabelCache({ fontPx: 11, fontWeight: 600, fontFamily: "system-ui, 'Noto Sans JP', sans-serif", fill: '#f0f4f8', halo: 'rgba(0,0,0,0.95)', haloPx: 1.5, ratio });
      return () => {
        for (let i = 0; i < n; i++) { const s = cache.get(names[i]); ctx.drawImage(s.image, xs[i] - cache.pad, ys[i] - (s.h >> 1)); }
      };
    })(),
  };
  const out = {};
  for (const [name, draw] of Object.entries(modes)) {
    if (name !== only) continue;
    const ms = [];
    for (let f = 0; f < frames + 5; f++) {
      const t0 = performance.now();
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.clearRect(0, 0, W, H);
      draw();
      ctx.getImageData(0, 0, 1, 1);
      if (f >= 5) ms.push(performance.now() - t0); // the first frames warm caches (fonts, the bitmaps)
      if (f % 20 === 0) await new Promise((r) => setTimeout(r, 0));
    }
    ms.sort((a, b) => a - b);
    out[name] = { median: ms[Math.floor(ms.length / 2)], p95: ms[Math.floor(ms.length * 0.95)] };
  }
  canvas.remove();
  return out;
}`;

const browser = await launchChromium();
const rows: Record<string, string | number>[] = [];
const loadBefore = loadavg()[0]!.toFixed(1);
try {
  // each mode in a fresh page: images left alive by one mode slow the next one down (seen: the last of
  // several per-label-image modes in one page ran ~10x slower, whichever it was)
  const MODES = ['shadowBlur', 'strokeText', 'ImageBitmap per label', 'atlas canvas', 'LabelCache'];
  for (const n of [0, ...SIZES]) {
    for (const only of n === 0 ? ['shadowBlur'] : MODES) {
      const ctx = await newContext(browser);
      const page = await ctx.newPage();
      await page.setContent('<!doctype html><body style="margin:0"></body>');
      await page.addScriptTag({ content: bundle.outputFiles[0]!.text });
      const res = (await page.evaluate(`(${pageBench})(${JSON.stringify({ n, frames: FRAMES, only })})`)) as Record<string, { median: number; p95: number }>;
      await ctx.close();
      const v = res[only]!;
      const r2 = (x: number) => Math.round(x * 100) / 100;
      rows.push({ labels: n, mode: n === 0 ? 'empty frame' : only, 'ms/frame median': r2(v.median), 'ms/frame p95': r2(v.p95), load: Number(loadavg()[0]!.toFixed(1)) });
    }
  }
} finally {
  await browser.close();
}
console.log(`headless Chromium (/usr/bin/chromium, software canvas), ${cpus().length} cores, 1-min load average ${loadBefore} before / ${loadavg()[0]!.toFixed(1)} after, ${FRAMES} frames per row`);
console.table(rows);
const keys = Object.keys(rows[0]!);
console.log(['| ' + keys.join(' | ') + ' |', '|' + keys.map(() => '---:').join('|') + '|', ...rows.map((r) => '| ' + Object.values(r).join(' | ') + ' |')].join('\n'));
