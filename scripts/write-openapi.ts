/**
 * `npm run openapi`: writes openapi/openapi.json from the routes' zod schemas. The app is built
 * with inert engine stand-ins (no model, no ffmpeg): only the route table matters here. The
 * default config is used so the document never depends on the caller's environment.
 * test/http/openapi.test.ts fails when the committed file differs from what this produces.
 */
import fs from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import type { ModelPool } from '../src/engine/types.js';

export const OPENAPI_PATH = fileURLToPath(new URL('../openapi/openapi.json', import.meta.url));

const unused = () => {
  throw new Error('not used while generating the OpenAPI document');
};
const inertPool: ModelPool = {
  withModel: unused,
  load: unused,
  isLoaded: () => false,
  stats: () => [],
  on: () => {},
  close: async () => {},
};

export async function buildOpenApiDocument(): Promise<string> {
  const app = await buildApp(loadConfig({ LOG_LEVEL: 'silent' }), { pool: inertPool, decoder: { decodeFile: unused } });
  await app.ready();
  const doc = app.swagger();
  await app.close();
  return `${JSON.stringify(doc, null, 2)}\n`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await fs.writeFile(OPENAPI_PATH, await buildOpenApiDocument());
  console.log(`wrote ${OPENAPI_PATH}`);
}
