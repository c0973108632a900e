import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import type { FastifyInstance } from 'fastify';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.ico': 'image/x-icon',
  '.map': 'application/json',
};

/**
 * Serves the built COP (web/dist). Public assets only: no object data is ever in these files.
 * Unknown non-API paths fall back to index.html (single-page app).
 */
export function registerStatic(app: FastifyInstance, root: string): void {
  const index = join(root, 'index.html');
  app.get('/*', async (req, reply) => {
    const url = (req.params as { '*': string })['*'] ?? '';
    if (url.startsWith('api/') || url.startsWith('Marti/')) {
      return reply.code(404).send({ error: { code: 'NOT_FOUND', message: 'not found' } });
    }
    const rel = normalize(decodeURIComponent(url.split('?')[0] ?? '')).replace(/^(\.\.(\/|\\|$))+/, '');
    let file = join(root, rel);
    if (!file.startsWith(root + sep) && file !== root) file = index;
    if (!existsSync(file) || statSync(file).isDirectory()) file = index;
    if (!existsSync(file)) {
      return reply.code(503).type('text/plain').send('web UI not built: run `npm run build`');
    }
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    const cache = file === index ? 'no-cache' : 'public, max-age=3600';
    return reply.type(type).header('cache-control', cache).send(createReadStream(file));
  });
}
