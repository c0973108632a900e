/** One milsymbol raster per SIDC, added to the map lazily when a layer first asks for it. */
import ms from 'milsymbol';
import type { Map as MlMap } from 'maplibre-gl';

const SIZE = 20;

export function installSymbolImages(map: MlMap): { count(): number } {
  const made = new Set<string>();
  map.on('styleimagemissing', (e: { id: string }) => {
    const sidc = e.id;
    if (made.has(sidc) || map.hasImage(sidc)) return;
    const ratio = Math.min(2, window.devicePixelRatio || 1);
    const sym = new ms.Symbol(sidc, { size: SIZE, outlineWidth: 3, outlineColor: 'rgba(0,0,0,0.8)' });
    const canvas = sym.asCanvas(ratio);
    const ctx = canvas.getContext('2d');
    if (!ctx || canvas.width === 0 || canvas.height === 0) return;
    const img = ctx.getImageData(0, 0, canvas.width, canvas.height);
    map.addImage(sidc, { width: img.width, height: img.height, data: new Uint8Array(img.data.buffer) }, { pixelRatio: ratio });
    made.add(sidc);
  });
  return { count: () => made.size };
}
