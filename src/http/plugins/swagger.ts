/**
 * OpenAPI document generated from the routes' zod schemas, and Swagger UI at /docs.
 * `npm run openapi` writes the same document to openapi/openapi.json; a test fails on drift.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fp from 'fastify-plugin';
import { createJsonSchemaTransform, createJsonSchemaTransformObject } from '../type-provider.js';

export const DOCS_PREFIX = '/docs';

const toDocument = createJsonSchemaTransformObject({});
type Doc = ReturnType<typeof toDocument>;
type WithComponents = { components?: { schemas?: Record<string, unknown> } };

/**
 * The zod provider emits every registered schema twice (an input and an output variant); only
 * the ones a route references belong in the document.
 */
function pruneUnusedSchemas(doc: Doc): Doc {
  const { components } = doc as WithComponents;
  const schemas = components?.schemas ?? {};
  const used = new Set<string>();
  const visit = (node: unknown) => {
    const text = JSON.stringify(node);
    for (const m of text.matchAll(/"#\/components\/schemas\/([^"]+)"/g)) {
      if (!used.has(m[1])) {
        used.add(m[1]);
        visit(schemas[m[1]]);
      }
    }
  };
  visit(doc.paths);
  const kept = Object.fromEntries(Object.entries(schemas).filter(([name]) => used.has(name)));
  return { ...doc, components: { ...components, schemas: kept } } as Doc;
}

export default fp<{ version: string }>(
  async (app, { version }) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Whisper server',
          version,
          description:
            "Self-hosted, OpenAI-compatible speech-to-text on whisper.cpp. Point the official `openai` SDKs at this server's `/v1` base URL.",
          license: { name: 'MIT', identifier: 'MIT' },
        },
        servers: [{ url: '/', description: 'This server' }],
        tags: [
          { name: 'audio', description: 'OpenAI-compatible transcription and translation.' },
          { name: 'models', description: 'OpenAI-compatible model listing.' },
          { name: 'realtime', description: "OpenAI's realtime transcription API over WebSocket." },
          { name: 'legacy', description: 'Endpoints kept for older clients.' },
          { name: 'ops', description: 'Health, readiness and metrics.' },
        ],
        components: {
          securitySchemes: {
            bearerAuth: { type: 'http', scheme: 'bearer', description: 'One of API_KEYS; only enforced when API_KEYS is set.' },
          },
        },
      },
      transform: createJsonSchemaTransform({ skipList: [] }),
      transformObject: (input) => pruneUnusedSchemas(toDocument(input)),
    });
    await app.register(swaggerUi, { routePrefix: DOCS_PREFIX });
  },
  { name: 'swagger', fastify: '5.x' },
);
