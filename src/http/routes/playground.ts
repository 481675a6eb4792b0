/**
 * The playground at `/` (public/playground: plain HTML, CSS and JS modules, no build step):
 * files, the microphone, async jobs and live captions against this server's own API. The files
 * are read once at startup and only those names are served. `/demo`, the older live-only page,
 * now opens the playground's Live tab.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LANGUAGES } from '../../format/languages.js';
import type { FastifyPluginAsyncZod } from '../type-provider.js';

const DIR = fileURLToPath(new URL('../../../public/playground/', import.meta.url));
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

function readAssets(): Map<string, { body: Buffer; type: string }> {
  const assets = new Map<string, { body: Buffer; type: string }>();
  for (const name of fs.readdirSync(DIR)) {
    const type = TYPES[path.extname(name)];
    if (type) assets.set(name, { body: fs.readFileSync(DIR + name), type });
  }
  // Whisper's language table, so the page's list never drifts from what the API accepts.
  assets.set('languages.js', { body: Buffer.from(`export default ${JSON.stringify(LANGUAGES)};\n`), type: TYPES['.js']! });
  return assets;
}

const playgroundRoutes: FastifyPluginAsyncZod = async (app) => {
  const assets = readAssets();
  const index = assets.get('index.html')!;
  const hidden = { hide: true } as const;

  app.get('/', { schema: hidden }, async (_request, reply) => reply.type(index.type).header('cache-control', 'no-cache').send(index.body));
  app.get('/playground/', { schema: hidden }, async (_request, reply) => reply.redirect('/'));
  app.get<{ Params: { file: string } }>('/playground/:file', { schema: hidden }, async (request, reply) => {
    const asset = assets.get(request.params.file);
    if (!asset || request.params.file === 'index.html') return reply.callNotFound();
    return reply.type(asset.type).header('cache-control', 'no-cache').send(asset.body);
  });
  // The live-only demo that used to live here: its bookmarks open the Live tab.
  for (const url of ['/demo', '/demo/']) app.get(url, { schema: hidden }, async (_request, reply) => reply.redirect('/#live'));
};

export default playgroundRoutes;
