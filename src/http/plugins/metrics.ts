/** Times every request under its route template (never the raw URL: unbounded label values). */
import fp from 'fastify-plugin';

export default fp(
  async (app) => {
    const { httpDuration } = app.services.metrics;
    app.addHook('onResponse', async (request, reply) => {
      httpDuration.observe(
        {
          method: request.method,
          route: request.routeOptions.url ?? 'unmatched',
          status_code: String(reply.statusCode),
        },
        reply.elapsedTime / 1000,
      );
    });
  },
  { name: 'metrics', fastify: '5.x', dependencies: ['services'] },
);
