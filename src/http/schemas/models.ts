/** OpenAI's Model and ListModelsResponse shapes. */
import { z } from 'zod';
import { errorResponses } from './common.js';

export const Model = z
  .object({
    id: z.string(),
    object: z.literal('model'),
    created: z.number().int().describe('Unix seconds: when the weights file was written.'),
    owned_by: z.string(),
  })
  .meta({ id: 'Model' });

export const ModelList = z.object({ object: z.literal('list'), data: z.array(Model) }).meta({ id: 'ListModelsResponse' });

export const ModelParams = z.object({ model: z.string().describe('A model name or alias.') });

export const listResponses = { 200: ModelList, ...errorResponses(401) };
export const retrieveResponses = { 200: Model, ...errorResponses(401, 404) };
