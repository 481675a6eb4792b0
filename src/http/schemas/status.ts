/** The server's state at a glance, for the playground and for people: models, queues, features. */
import { z } from 'zod';
import { errorResponses } from './common.js';

const ModelStatus = z.object({
  id: z.string(),
  multilingual: z.boolean().describe('False for English-only weights (*.en): no translation, no other language.'),
  loaded: z.boolean(),
  in_flight: z.number().int().describe('Requests running on this model now.'),
  queued: z.number().int().describe('Requests waiting for a slot (live, synchronous and job work together).'),
  concurrency: z.number().int().describe('Slots: requests this model runs at once (POOL_CONCURRENCY).'),
  max_queue: z.number().int().describe('Waiting requests beyond which a request gets 429 (QUEUE_MAX).'),
});

export const ServerStatus = z
  .object({
    object: z.literal('server.status'),
    ready: z.boolean().describe('What /ready says: the default model is loaded and the server is not draining.'),
    draining: z.boolean(),
    default_model: z.string(),
    models: z.array(ModelStatus).describe('Every model with weights on disk, under its own name (aliases such as whisper-1 are in /v1/models); `loaded` says which are in memory.'),
    queue_depth: z.number().int().describe('Requests waiting for a slot, over all models.'),
    vad: z.boolean().describe("Whether whisper.cpp's Silero VAD is loaded (chunking_strategy, realtime server_vad)."),
    realtime_sessions: z.number().int().describe('Open realtime WebSocket sessions.'),
    jobs: z
      .object({ queued: z.number().int(), processing: z.number().int(), backlog_audio_seconds: z.number() })
      .describe('Async jobs in the shared job store, not only this replica.'),
  })
  .meta({ id: 'ServerStatus' });

export const statusResponses = { 200: ServerStatus, ...errorResponses(401) };
