/**
 * OpenAPI document generated from the routes' zod schemas, and Swagger UI at /docs.
 * `npm run openapi` writes the same document to openapi/openapi.json; a test fails on drift.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fp from 'fastify-plugin';
import { createJsonSchemaTransform, createJsonSchemaTransformObject } from '../type-provider.js';

export const DOCS_PREFIX = '/docs';

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
        servers: [{ url: 'http://localhost:8000', description: 'Local default (HOST/PORT)' }],
        tags: [
          { name: 'audio', description: 'OpenAI-compatible transcription and translation.' },
          { name: 'models', description: 'OpenAI-compatible model listing.' },
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
      transformObject: createJsonSchemaTransformObject({}),
    });
    await app.register(swaggerUi, { routePrefix: DOCS_PREFIX });
  },
  { name: 'swagger', fastify: '5.x' },
);
