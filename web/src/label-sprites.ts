/**
 * Callsign labels pre-rendered once per text into small bitmaps, then copied with drawImage every frame.
 *
 * Why: text with a halo (shadowBlur, or strokeText + fillText) is shaped and rasterised again on every frame;
 * a cached bitmap is one pixel copy (bench/label-draw.ts: 2,000 labels 14.5 vs 18.7 ms per frame, software canvas). The halo is a round-joined
 * strokeText under the fill, drawn once into the bitmap. One cache serves one style (font, colours,
 * pixel ratio); a style change makes a new cache. Bounded: least recently drawn labels are evicted, so
 * untrusted callsigns cannot grow it without limit.
 */

/**
 * Labels kept. Must exceed the labels one redraw draws (one per full symbol; every on-screen track with
 * declutter off), or each redraw evicts what it needs next and re-renders every label (measured: 2,000 labels
 * with 1,024 slots, ~280 ms per frame against ~15 ms). About 6 KB each at pixel ratio 1.
 */
export const LABEL_CACHE_SIZE = 4096;

/** Characters of a callsign drawn at most (longer ones are cut). */
export const LABEL_MAX_CHARS = 24;

export interface LabelStyle {
  /** CSS pixels */
  fontPx: number;
  fontFamily: string;
  fontWeight: number;
  fill: string;
  halo: string;
  /** halo width either side of the glyph outline, CSS pixels */
  haloPx: number;
  ratio: number;
}

export interface LabelSprite {
  image: CanvasImageSource;
  /** device pixels */
  w: number;
  h: number;
}

type Surface = OffscreenCanvas | HTMLCanvasElement;
type Ctx2D = OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D;

function surface(w: number, h: number): Surface {
  if (typeof OffscreenCanvas === 'function') return new OffscreenCanvas(w, h);
  const c = document.createElement('canvas');
  c.width = w;
  c.height = h;
  return c;
}

function release(s: LabelSprite | undefined): void {
  if (s && typeof ImageBitmap === 'function' && s.image instanceof ImageBitmap) s.image.close();
}

export class LabelCache {
  /** Map iteration order is insertion order: re-inserting on use keeps the least recently used first. */
  private readonly sprites = new Map<string, LabelSprite>();
  private readonly font: string;
  /** halo room left of the text inside each bitmap, device pixels */
  readonly pad: number;
  private readonly lineH: number;
  /** one scratch surface for measuring (reused: nothing allocated for a cached label) */
  private readonly measure: Ctx2D;
  /** labels rendered (cache misses) since the cache was made; a probe for tests and benchmarks */
  rendered = 0;

  constructor(readonly style: LabelStyle, private readonly capacity = LABEL_CACHE_SIZE) {
    const r = style.ratio;
    this.font = `${style.fontWeight} ${Math.round(style.fontPx * r)}px ${style.fontFamily}`;
    this.pad = Math.ceil(style.haloPx * r) + 1;
    // room for ascenders and descenders; taller glyph stacks are clipped rather than growing the bitmap
    this.lineH = Math.ceil(style.fontPx * r * 1.5) + 2 * this.pad;
    const m = surface(1, 1).getContext('2d') as Ctx2D | null;
    if (!m) throw new Error('2D canvas unavailable');
    this.measure = m;
  }

  get size(): number {
    return this.sprites.size;
  }

  /** The bitmap for `text` (cut to LABEL_MAX_CHARS), drawn now if not cached; its left edge is the text's start. */
  get(text: string): LabelSprite {
    const hit = this.sprites.get(text);
    if (hit) {
      this.sprites.delete(text);
      this.sprites.set(text, hit);
      return hit;
    }
    const sprite = this.render(text.length > LABEL_MAX_CHARS ? text.slice(0, LABEL_MAX_CHARS) : text);
    if (this.sprites.size >= this.capacity) {
      const oldest = this.sprites.keys().next();
      if (!oldest.done) {
        release(this.sprites.get(oldest.value));
        this.sprites.delete(oldest.value);
      }
    }
    this.sprites.set(text, sprite);
    return sprite;
  }

  private render(text: string): LabelSprite {
    const { pad, lineH } = this;
    const r = this.style.ratio;
    this.measure.font = this.font;
    // width bounded by the character cut; the clamp guards against fonts with extreme advances
    const textW = Math.min(Math.ceil(this.measure.measureText(text).width), Math.ceil(LABEL_MAX_CHARS * this.style.fontPx * r * 1.5));
    const w = Math.max(1, textW + 2 * pad);
    const canvas = surface(w, lineH);
    const ctx = canvas.getContext('2d') as Ctx2D | null;
    if (!ctx) throw new Error('2D canvas unavailable');
    ctx.font = this.font;
    ctx.textBaseline = 'middle';
    ctx.lineJoin = 'round';
    ctx.miterLimit = 2;
    ctx.lineWidth = 2 * this.style.haloPx * r;
    ctx.strokeStyle = this.style.halo;
    ctx.fillStyle = this.style.fill;
    ctx.strokeText(text, pad, lineH / 2);
    ctx.fillText(text, pad, lineH / 2);
    this.rendered++;
    // an ImageBitmap is an immutable image: drawImage from a canvas would snapshot the canvas each time
    const image = 'transferToImageBitmap' in canvas ? canvas.transferToImageBitmap() : canvas;
    return { image, w, h: lineH };
  }

  /** Frees the bitmaps now rather than at garbage collection. */
  clear(): void {
    for (const s of this.sprites.values()) release(s);
    this.sprites.clear();
  }
}
