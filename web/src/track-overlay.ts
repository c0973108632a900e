/**
 * Tracks and trails drawn on a 2D canvas laid over the MapLibre canvas.
 *
 * Why not MapLibre symbol layers: every source update re-tiles all tracks in a worker and repaints the
 * whole WebGL map (basemap included). Without a GPU (WebGL emulated on the CPU) one such repaint of a
 * 1400×860 map took 130–370 ms here, so 2,000 tracks at 1 Hz ran at 2–4 fps. Here a track update only
 * redraws this canvas (one pre-rendered milsymbol bitmap per SIDC, copied with drawImage, trails
 * batched into one path per colour); the basemap repaints only when the camera moves. While the
 * camera moves, the last drawing is moved with it by a CSS transform (what it drew, where it now
 * belongs; no redraw) and fully redrawn a few times a second and when the move ends, as Leaflet's
 * canvas renderer does.
 */
import type { Map as MlMap } from 'maplibre-gl';
import { Declutter, PRIORITY } from './declutter.js';
import { HitIndex } from './hit-test.js';
import { LabelCache, type LabelStyle } from './label-sprites.js';
import type { PerfMeter } from './perf.js';
import { affineFromSamples, applyAffine, invertAffine, mercatorToLngLat, mercatorX, mercatorY, relativeAffine, sameAffine, type Affine } from './screen-transform.js';
import { SpriteCache } from './symbol-sprites.js';
import type { Affiliation } from './symbols.js';
import type { TrackEntry, TrackStore } from './track-store.js';

/** Same colours the trails had as a MapLibre line layer: friend, hostile, neutral, unknown. */
const TRAIL_COLOURS = ['#80e0ff', '#ff8080', '#aaffaa', '#ffff80'] as const;
function colourGroup(a: Affiliation): number {
  switch (a) {
    case 'F': case 'A':
      return 0;
    case 'H': case 'S': case 'J': case 'K':
      return 1;
    case 'N':
      return 2;
    default:
      return 3;
  }
}

/** CSS pixels around the viewport inside which symbols are still drawn (a symbol's half-width). */
const MARGIN = 32;
export const HIT_RADIUS = 14;
/** Declutter cells (CSS px, about one symbol) and how many tracks a cell shows in full before it thins out. */
const CELL = 28;
const CROWD = 3;

/** Callsign labels: light text with a dark halo, readable on both basemap themes. */
const LABEL_STYLE: Omit<LabelStyle, 'ratio'> = {
  fontPx: 11, fontWeight: 600, fontFamily: "system-ui, 'Noto Sans JP', sans-serif", fill: '#f0f4f8', halo: 'rgba(0,0,0,0.95)', haloPx: 1.5,
};

function isThreat(a: Affiliation): boolean {
  return a === 'H' || a === 'S' || a === 'J' || a === 'K';
}

export class TrackOverlay {
  readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private readonly hits = new HitIndex();
  private readonly shownList: TrackEntry[] = [];
  private readonly declutter = new Declutter();
  /** per redraw, the on-screen tracks: entries, device-pixel positions, declutter priority and result */
  private readonly visible: TrackEntry[] = [];
  private px = new Float32Array(256);
  private py = new Float32Array(256);
  private pri = new Uint8Array(256);
  private full = new Uint8Array(256);
  /** tracks drawn as dots by the last redraw */
  dots = 0;
  private ratio = 1;
  private sprites = new SpriteCache(1);
  /** made on the first labelled redraw (and again when the pixel ratio changes) */
  private labels: LabelCache | undefined;
  private affine: Affine | undefined;
  private cssW = 0;
  private cssH = 0;
  /** CSS-pixel transform now applied to the last drawing (inverse kept for hit-testing), if any */
  private followInverse: Affine | undefined;
  selected: string | undefined;
  shown = 0;

  constructor(private readonly map: MlMap, private store: TrackStore, private readonly perf?: PerfMeter) {
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'track-overlay';
    this.canvas.dataset['testid'] = 'track-overlay';
    // inside MapLibre's canvas container: above the basemap, below the controls; pointer events fall
    // through to the map (clicks are hit-tested against where symbols were drawn)
    map.getCanvasContainer().appendChild(this.canvas);
    const ctx = this.canvas.getContext('2d');
    if (!ctx) throw new Error('2D canvas unavailable');
    this.ctx = ctx;
    this.resize();
  }

  /** Matches the map's size and pixel ratio; true when it changed. */
  resize(): boolean {
    const ratio = Math.min(2, window.devicePixelRatio || 1);
    const mapCanvas = this.map.getCanvas();
    const w = mapCanvas.clientWidth;
    const h = mapCanvas.clientHeight;
    if (w === this.cssW && h === this.cssH && ratio === this.ratio) return false;
    if (ratio !== this.ratio) this.sprites = new SpriteCache(ratio);
    this.ratio = ratio;
    this.cssW = w;
    this.cssH = h;
    this.canvas.width = Math.round(w * ratio);
    this.canvas.height = Math.round(h * ratio);
    this.canvas.style.width = `${w}px`;
    this.canvas.style.height = `${h}px`;
    this.affine = undefined;
    return true;
  }

  /** Mercator → device pixels for the map's current camera (exact: pitch is fixed at 0). */
  camera(): Affine {
    const c = this.map.getCenter();
    const m0 = { x: mercatorX(c.lng), y: mercatorY(c.lat) };
    // a step of ~100 screen pixels at this zoom keeps the samples well inside float precision
    const h = 100 / (512 * 2 ** this.map.getZoom());
    const p = (x: number, y: number) => this.map.project(mercatorToLngLat(x, y));
    const A = affineFromSamples(m0, h, p(m0.x, m0.y), p(m0.x + h, m0.y), p(m0.x, m0.y + h));
    const r = this.ratio;
    return { a: A.a * r, b: A.b * r, c: A.c * r, d: A.d * r, e: A.e * r, f: A.f * r };
  }

  /** True when camera A differs from the one of the last draw. */
  movedTo(A: Affine): boolean {
    return !sameAffine(this.affine, A);
  }

  /**
   * Moves the last drawing to where the camera now puts it, without redrawing: one CSS transform
   * (symbols may look slightly scaled or rotated until the next draw()).
   */
  follow(A: Affine): void {
    if (!this.affine) return;
    const r = this.ratio;
    const M = relativeAffine(this.affine, A);
    const css = { ...M, e: M.e / r, f: M.f / r };
    this.canvas.style.transform = `matrix(${css.a},${css.b},${css.c},${css.d},${css.e},${css.f})`;
    this.followInverse = invertAffine(css);
  }

  draw(A: Affine = this.camera()): void {
    this.affine = A;
    if (this.followInverse) {
      this.canvas.style.transform = '';
      this.followInverse = undefined;
    }
    const { ctx } = this;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    const list = this.shownList;
    this.shown = this.store.collectShown(list);
    this.drawTrails(A, list);
    this.drawSelectionRing(A);
    const k = this.placeOnScreen(A, list);
    this.dots = this.store.declutter ? this.declutter.run(this.px, this.py, this.pri, k, CELL * this.ratio, CROWD, this.full) : 0;
    if (!this.store.declutter) this.full.fill(1, 0, k);
    if (this.dots > 0) this.drawDots(k);
    this.drawSymbols(k);
    if (this.store.labels) this.drawLabels(k);
  }

  /** Whether a canvas point is on screen, with a margin so symbols at the edge are not cut. */
  private onScreen(x: number, y: number): boolean {
    const m = MARGIN * this.ratio;
    return x > -m && y > -m && x < this.canvas.width + m && y < this.canvas.height + m;
  }

  /** Trails: one path per colour, stroked once each. */
  private drawTrails(A: Affine, list: readonly TrackEntry[]): void {
    const { ctx, ratio } = this;
    const paths = TRAIL_COLOURS.map(() => new Path2D());
    for (const e of list) {
      const t = e.trailXY;
      const n = t.length;
      if (n < 4) continue;
      const cx = A.a * t[n - 2]! + A.c * t[n - 1]! + A.e;
      const cy = A.b * t[n - 2]! + A.d * t[n - 1]! + A.f;
      if (!this.onScreen(cx, cy)) continue;
      const path = paths[colourGroup(e.affiliation)]!;
      path.moveTo(A.a * t[0]! + A.c * t[1]! + A.e, A.b * t[0]! + A.d * t[1]! + A.f);
      for (let i = 2; i < n; i += 2) path.lineTo(A.a * t[i]! + A.c * t[i + 1]! + A.e, A.b * t[i]! + A.d * t[i + 1]! + A.f);
    }
    // 1 device pixel: Skia draws it as a hairline, about 5x cheaper to rasterise in software than a
    // 1.4 px stroke (measured: 2,000 trails 263 → 55 ms/s of layer updates)
    ctx.lineWidth = ratio > 1 ? 1.4 * ratio : 1;
    ctx.lineJoin = 'round';
    ctx.globalAlpha = 0.55;
    paths.forEach((p, i) => {
      ctx.strokeStyle = TRAIL_COLOURS[i]!;
      ctx.stroke(p);
    });
    ctx.globalAlpha = 1;
  }

  /** The selection ring, drawn under the symbols. */
  private drawSelectionRing(A: Affine): void {
    const { ctx, ratio } = this;
    const sel = this.selected !== undefined ? this.store.get(this.selected) : undefined;
    if (!sel || !this.store.matches(sel)) return;
    const t = sel.trailXY;
    const n = t.length;
    const x = A.a * t[n - 2]! + A.c * t[n - 1]! + A.e;
    const y = A.b * t[n - 2]! + A.d * t[n - 1]! + A.f;
    ctx.beginPath();
    ctx.arc(x, y, 18 * ratio, 0, 2 * Math.PI);
    ctx.fillStyle = 'rgba(255,214,0,0.12)';
    ctx.fill();
    ctx.lineWidth = 2 * ratio;
    ctx.strokeStyle = '#ffd600';
    ctx.stroke();
  }

  /** Positions and priorities of the on-screen tracks into px/py/pri and `visible`; returns their count. */
  private placeOnScreen(A: Affine, list: readonly TrackEntry[]): number {
    const vis = this.visible;
    vis.length = 0;
    if (this.px.length < list.length) this.grow(list.length);
    for (const e of list) {
      const t = e.trailXY;
      const n = t.length;
      const x = A.a * t[n - 2]! + A.c * t[n - 1]! + A.e;
      const y = A.b * t[n - 2]! + A.d * t[n - 1]! + A.f;
      if (!this.onScreen(x, y)) continue;
      const k = vis.length;
      this.px[k] = x;
      this.py[k] = y;
      this.pri[k] = e.track.uid === this.selected ? PRIORITY.selected : isThreat(e.affiliation) ? PRIORITY.threat : PRIORITY.other;
      vis.push(e);
    }
    return vis.length;
  }

  /** Decluttered tracks as dots under the symbols: one dark outline path, then one path per colour. */
  private drawDots(k: number): void {
    const { ctx, ratio } = this;
    const outline = new Path2D();
    const fills = TRAIL_COLOURS.map(() => new Path2D());
    const r = Math.max(2, Math.round(2 * ratio));
    for (let i = 0; i < k; i++) {
      if (this.full[i]) continue;
      const x = Math.round(this.px[i]!);
      const y = Math.round(this.py[i]!);
      outline.rect(x - r - 1, y - r - 1, 2 * r + 3, 2 * r + 3);
      fills[colourGroup(this.visible[i]!.affiliation)]!.rect(x - r, y - r, 2 * r + 1, 2 * r + 1);
    }
    ctx.fillStyle = 'rgba(0,0,0,0.8)';
    ctx.fill(outline);
    fills.forEach((p, i) => {
      ctx.fillStyle = TRAIL_COLOURS[i]!;
      ctx.fill(p);
    });
  }

  /** Full symbols at integer positions, so drawImage copies pixels instead of resampling; every track is hit-testable. */
  private drawSymbols(k: number): void {
    const { ctx, ratio } = this;
    this.hits.reset();
    ctx.fillStyle = '#ffff80';
    for (let i = 0; i < k; i++) {
      const e = this.visible[i]!;
      const x = this.px[i]!;
      const y = this.py[i]!;
      if (this.full[i]) {
        const s = this.sprites.get(e.sidc);
        if (s) ctx.drawImage(s.image, Math.round(x) - s.ax, Math.round(y) - s.ay);
        else ctx.fillRect(Math.round(x) - 4 * ratio, Math.round(y) - 4 * ratio, 8 * ratio, 8 * ratio);
      }
      this.hits.add(e.track.uid, x / ratio, y / ratio);
    }
  }

  /** The replay shows another store through the same overlay. */
  setStore(store: TrackStore): void {
    this.store = store;
  }

  /**
   * Callsigns right of the full symbols (not of the dots: labels declutter with their symbols), each a
   * cached bitmap with its halo already in it (label-sprites.ts): one drawImage per label per frame.
   */
  private drawLabels(k: number): void {
    const t0 = performance.now();
    const { ctx, ratio } = this;
    if (!this.labels || this.labels.style.ratio !== ratio) {
      this.labels?.clear();
      this.labels = new LabelCache({ ...LABEL_STYLE, ratio });
    }
    const labels = this.labels;
    const dx = Math.round(15 * ratio);
    for (let i = 0; i < k; i++) {
      if (!this.full[i]) continue;
      const tr = this.visible[i]!.track;
      const s = labels.get(tr.callsign || tr.uid);
      ctx.drawImage(s.image, Math.round(this.px[i]!) + dx - labels.pad, Math.round(this.py[i]!) - (s.h >> 1));
    }
    if (this.perf) this.perf.labelMs += performance.now() - t0;
  }

  private grow(n: number): void {
    const size = 2 ** Math.ceil(Math.log2(n));
    this.px = new Float32Array(size);
    this.py = new Float32Array(size);
    this.pri = new Uint8Array(size);
    this.full = new Uint8Array(size);
  }

  /** uid of the symbol drawn under a map point (CSS pixels), if any. */
  hitAt(x: number, y: number): string | undefined {
    const p = this.followInverse ? applyAffine(this.followInverse, x, y) : { x, y };
    return this.hits.nearest(p.x, p.y, HIT_RADIUS);
  }

  remove(): void {
    this.canvas.remove();
  }
}
