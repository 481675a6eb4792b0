/** What every renderer returns: a body and the Content-Type it must be sent with. */
export interface Rendered<B = unknown> {
  body: B;
  contentType: string;
}

export const RESPONSE_FORMATS = ['json', 'text', 'srt', 'verbose_json', 'vtt'] as const;
export type ResponseFormat = (typeof RESPONSE_FORMATS)[number];

export const GRANULARITIES = ['word', 'segment'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
// The OpenAI Node SDK returns the body as a string only when the type is not JSON, so the
// plain formats must never be labelled application/json.
export const TEXT_CONTENT_TYPE = 'text/plain; charset=utf-8';
export const VTT_CONTENT_TYPE = 'text/vtt; charset=utf-8';
