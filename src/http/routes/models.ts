/** OpenAI-compatible model listing, from the catalogue (weights on disk plus aliases). */
import { errors } from '../../errors.js';
import { ModelParams, listResponses, retrieveResponses } from '../schemas/models.js';
import type { FastifyPluginAsyncZod } from '../type-provider.js';

const schemaBase = { tags: ['models'], security: [{ bearerAuth: [] }] };

const modelRoutes: FastifyPluginAsyncZod = async (app) => {
  const { models } = app.services;

  // https://platform.openai.com/docs/api-reference/models/list
  app.get('/v1/models', {
    config: { auth: true },
    schema: { ...schemaBase, operationId: 'listModels', summary: 'List models', response: listResponses },
  }, async () => ({
    object: 'list' as const,
    data: models.list().map((m) => ({ ...m, object: 'model' as const })),
  }));

  // https://platform.openai.com/docs/api-reference/models/retrieve
  app.get('/v1/models/:model', {
    config: { auth: true },
    schema: { ...schemaBase, operationId: 'retrieveModel', summary: 'Retrieve a model', params: ModelParams, response: retrieveResponses },
  }, async (request) => {
    const m = models.get(request.params.model);
    if (!m) throw errors.modelNotFound(request.params.model);
    return { ...m, object: 'model' as const };
  });
};

export default modelRoutes;
