/** Makes the services reachable from routes as `app.services`, and closes the pool on shutdown. */
import fp from 'fastify-plugin';
import type { AppServices } from '../types.js';

export default fp<{ services: AppServices }>(
  async (app, { services }) => {
    app.decorate('services', services);
    app.addHook('onClose', async () => {
      await services.pool.close();
    });
  },
  { name: 'services', fastify: '5.x' },
);
