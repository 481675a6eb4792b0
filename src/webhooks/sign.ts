/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): `webhook-signature` carries
 * `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` for every configured secret, space-separated,
 * so a receiver that knows either the old or the new secret verifies during a rotation.
 * Signing is the `standardwebhooks` package's; we only assemble the headers.
 */
import { Webhook } from 'standardwebhooks';

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

export function createSigner(secrets: readonly string[]) {
  if (secrets.length === 0) throw new Error('webhook signing needs at least one WEBHOOK_SECRET');
  const hooks = secrets.map((s) => new Webhook(s));
  return {
    /** Headers for one attempt: the id is fixed per delivery, the timestamp is the attempt's. */
    sign(id: string, body: string, at: Date = new Date()): SignedHeaders {
      // The spec signs whole seconds; passing a rounded date keeps header and signature in step.
      const when = new Date(Math.floor(at.getTime() / 1000) * 1000);
      return {
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(when.getTime() / 1000)),
        'webhook-signature': hooks.map((h) => h.sign(id, when, body)).join(' '),
      };
    },
  };
}
export type Signer = ReturnType<typeof createSigner>;
