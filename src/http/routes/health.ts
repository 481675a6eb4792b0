/**
 * Liveness, readiness and metrics. /health does no work at all, so it answers even while every
 * model slot is busy (inference runs on the threadpool, never on the event loop).
 */
import { errors } from '../../errors.js';
import { healthResponses, metricsResponses, readyResponses } from '../schemas/health.js';
import type { FastifyPluginAsyncZod } from '../type-provider.js';

const opsRoutes: FastifyPluginAsyncZod = async (app) => {
  const { lifecycle, pool, models, metrics, config } = app.services;

  app.get('/health', {
    schema: { tags: ['ops'], security: [], operationId: 'health', summary: 'Liveness', response: healthResponses },
  }, async () => ({ status: 'ok' as const }));

  app.get('/ready', {
    schema: { tags: ['ops'], security: [], operationId: 'ready', summary: 'Readiness', response: readyResponses },
  }, async () => {
    if (lifecycle.draining) throw errors.draining();
    if (!pool.isLoaded(models.defaultModel)) throw errors.notReady(`model '${models.defaultModel}' is not loaded yet.`);
    return { status: 'ready' as const, model: models.defaultModel };
  });

  app.get('/metrics', {
    config: { auth: config.METRICS_REQUIRE_AUTH },
    schema: {
      tags: ['ops'],
      security: [{}, { bearerAuth: [] }],
      operationId: 'metrics',
      summary: 'Prometheus metrics',
      response: metricsResponses,
    },
  }, async (_request, reply) => {
    const body = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(body);
  });
};

export default opsRoutes;
