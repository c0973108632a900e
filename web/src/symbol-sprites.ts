/**
 * One milsymbol raster per SIDC and device-pixel ratio, drawn once and reused for every track with
 * that symbol. Rasterised at the overlay's pixel ratio so drawImage copies pixels without scaling.
 */
import ms from 'milsymbol';

const SIZE = 20;

export interface Sprite {
  /** the milsymbol canvas at first, then an ImageBitmap of it: drawing from a canvas makes the
   * browser snapshot that canvas on every drawImage, an ImageBitmap is already an immutable image */
  image: CanvasImageSource;
  /** the symbol's anchor (centre of the frame) inside the image, device pixels */
  ax: number;
  ay: number;
}

export class SpriteCache {
  private readonly sprites = new Map<string, Sprite | null>();

  constructor(private readonly ratio: number) {}

  get size(): number {
    return this.sprites.size;
  }

  /** null when milsymbol cannot draw the code (the overlay then draws a plain marker). */
  get(sidc: string): Sprite | null {
    let s = this.sprites.get(sidc);
    if (s !== undefined) return s;
    s = null;
    try {
      const sym = new ms.Symbol(sidc, { size: SIZE, outlineWidth: 3, outlineColor: 'rgba(0,0,0,0.8)' });
      const image = sym.asCanvas(this.ratio);
      if (image.width > 0 && image.height > 0) {
        const anchor = sym.getAnchor();
        const sprite: Sprite = { image, ax: Math.round(anchor.x * this.ratio), ay: Math.round(anchor.y * this.ratio) };
        if (typeof createImageBitmap === 'function') {
          createImageBitmap(image).then((bitmap) => (sprite.image = bitmap), () => undefined);
        }
        s = sprite;
      }
    } catch {
      // untrusted type strings: a code milsymbol rejects gets the fallback marker
    }
    // Bounded like the SIDC table: CoT types are a small vocabulary, but input is untrusted.
    if (this.sprites.size > 2000) this.sprites.clear();
    this.sprites.set(sidc, s);
    return s;
  }
}
