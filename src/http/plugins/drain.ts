/**
 * Graceful shutdown at the HTTP edge: once draining, work routes answer 503 at once (before
 * any upload is read), and accepted work is counted until its response closes.
 */
import fp from 'fastify-plugin';
import { errors } from '../../errors.js';

export default fp(
  async (app) => {
    const { lifecycle } = app.services;
    app.addHook('onRequest', async (request, reply) => {
      if (!request.routeOptions.config?.work) return;
      if (lifecycle.draining) throw errors.draining();
      const release = lifecycle.track();
      // 'close' fires after 'finish' as well as on disconnects: one place that always runs.
      reply.raw.once('close', release);
    });
  },
  { name: 'drain', fastify: '5.x', dependencies: ['services', 'auth'] },
);
