import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { buildBasemapJson } from './build/basemap.js';

const root = fileURLToPath(new URL('.', import.meta.url));

/** Emits `basemap.json` (world-atlas → GeoJSON) so the map needs no remote tile or data source. */
function offlineBasemap(): Plugin {
  let json: string | undefined;
  const get = (): string => (json ??= buildBasemapJson('50m'));
  return {
    name: 'kizuna-offline-basemap',
    configureServer(server) {
      server.middlewares.use('/basemap.json', (_req, res) => {
        res.setHeader('content-type', 'application/json');
        res.end(get());
      });
    },
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: 'basemap.json', source: get() });
    },
  };
}

export default defineConfig({
  root,
  base: './',
  plugins: [offlineBasemap()],
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // maplibre-gl and milsymbol are ~1.9 MB together, all needed at start; the warning would be noise.
    chunkSizeWarningLimit: 2500,
  },
  server: {
    proxy: { '/api': { target: 'http://127.0.0.1:8080', ws: true } },
  },
});
