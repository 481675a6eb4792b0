import { z } from 'zod';
import { errorResponses } from './common.js';

export const healthResponses = { 200: z.object({ status: z.literal('ok') }) };

export const readyResponses = {
  200: z.object({ status: z.literal('ready'), model: z.string().describe('The default model, loaded.') }),
  ...errorResponses(503),
};

export const metricsResponses = {
  200: {
    description: 'Prometheus text exposition.',
    content: { 'text/plain': { schema: z.string() } },
  },
  ...errorResponses(401),
};
