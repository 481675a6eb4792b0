/**
 * The browser demo (public/demo: plain HTML and JS, no build step) at /demo, and `/` sending a
 * newcomer there. Files are read once at startup; only these names are served.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsyncZod } from '../type-provider.js';

const DIR = fileURLToPath(new URL('../../../public/demo/', import.meta.url));
const FILES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'demo.js': 'text/javascript; charset=utf-8',
  'pcm-worklet.js': 'text/javascript; charset=utf-8',
};

const demoRoutes: FastifyPluginAsyncZod = async (app) => {
  const files = new Map(Object.keys(FILES).map((name) => [name, fs.readFileSync(DIR + name)]));
  const hidden = { hide: true } as const;

  app.get('/', { schema: hidden }, async (_request, reply) => reply.redirect('/demo/'));
  app.get('/demo', { schema: hidden }, async (_request, reply) => reply.redirect('/demo/'));
  app.get('/demo/', { schema: hidden }, async (_request, reply) => reply.type(FILES['index.html']).send(files.get('index.html')));
  app.get<{ Params: { file: string } }>('/demo/:file', { schema: hidden }, async (request, reply) => {
    const body = files.get(request.params.file);
    if (!body) return reply.callNotFound();
    return reply.type(FILES[request.params.file]).header('cache-control', 'no-cache').send(body);
  });
};

export default demoRoutes;
