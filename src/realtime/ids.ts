import { randomBytes } from 'node:crypto';

/** OpenAI-looking ids: `sess_…`, `item_…`, `event_…`, 14 random base64url characters. */
export const newId = (prefix: string) => `${prefix}_${randomBytes(11).toString('base64url').slice(0, 14)}`;
