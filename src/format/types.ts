/** What every renderer returns: a body and the Content-Type it must be sent with. */
export interface Rendered<B = unknown> {
  body: B;
  contentType: string;
}

/** Every whisper model's formats (translations take only these). */
export const BASIC_FORMATS = ['json', 'text', 'srt', 'verbose_json', 'vtt'] as const;
export const RESPONSE_FORMATS = [...BASIC_FORMATS, 'diarized_json'] as const;
export type ResponseFormat = (typeof RESPONSE_FORMATS)[number];
/** What the diarization model answers in (OpenAI: json, text, diarized_json). */
export const DIARIZE_FORMATS = ['json', 'text', 'diarized_json'] as const satisfies readonly ResponseFormat[];

export const GRANULARITIES = ['word', 'segment'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
// The OpenAI Node SDK returns the body as a string only when the type is not JSON, so the
// plain formats must never be labelled application/json.
export const TEXT_CONTENT_TYPE = 'text/plain; charset=utf-8';
export const VTT_CONTENT_TYPE = 'text/vtt; charset=utf-8';
