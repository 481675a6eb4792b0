/**
 * GET /v1/status: what /ready, /metrics and /v1/models say in three formats, as one JSON object
 * (the playground's status panel). Behind the API key like /v1/models, since it names models.
 */
import { statusResponses } from '../schemas/status.js';
import type { FastifyPluginAsyncZod } from '../type-provider.js';

const statusRoutes: FastifyPluginAsyncZod = async (app) => {
  const { lifecycle, pool, models, realtime, jobs } = app.services;

  app.get('/v1/status', {
    config: { auth: true },
    schema: { tags: ['ops'], security: [{ bearerAuth: [] }], operationId: 'serverStatus', summary: 'Server status: models, queues, VAD', response: statusResponses },
  }, async () => {
    const stats = new Map(pool.stats().map((s) => [s.model, s]));
    // Aliases (whisper-1) share their target's slots: list each weights file once, under its own name.
    const list = models.list().flatMap(({ id }) => {
      const info = models.resolve(id);
      if (!info || info.name !== id) return [];
      const s = stats.get(id);
      return [{
        id, multilingual: info.multilingual, loaded: s?.loaded ?? false,
        in_flight: s?.inFlight ?? 0, queued: s?.queued ?? 0, concurrency: s?.concurrency ?? 0, max_queue: s?.maxQueue ?? 0,
      }];
    });
    const { counts, backlog_audio_seconds } = await jobs.stats();
    const sessions = Object.values(realtime.sessions()).reduce((a, b) => a + b, 0);
    return {
      object: 'server.status' as const,
      ready: !lifecycle.draining && pool.isLoaded(models.defaultModel),
      draining: lifecycle.draining,
      default_model: models.defaultModel,
      models: list,
      queue_depth: [...stats.values()].reduce((n, s) => n + s.queued, 0),
      vad: realtime.vadAvailable,
      realtime_sessions: sessions,
      jobs: { queued: counts.queued ?? 0, processing: counts.processing ?? 0, backlog_audio_seconds },
    };
  });
};

export default statusRoutes;
