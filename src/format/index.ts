/** Pure renderers: a domain Transcript in, `{ body, contentType }` out. No HTTP, no engine. */
import type { Transcript } from '../engine/types.js';
import { renderDiarizedJson } from './diarized.js';
import { renderJson, renderVerboseJson, type JsonOptions, type VerboseOptions } from './json.js';
import { renderSrt, renderText, renderVtt } from './text.js';
import type { Rendered, ResponseFormat } from './types.js';

export * from './types.js';
export { renderDiarizedJson, renderJson, renderVerboseJson, renderSrt, renderText, renderVtt };

export type RenderOptions = VerboseOptions & JsonOptions;

export function render(format: ResponseFormat, t: Transcript, opts: RenderOptions = {}): Rendered {
  switch (format) {
    case 'json':
      return renderJson(t, opts);
    case 'diarized_json':
      return renderDiarizedJson(t);
    case 'verbose_json':
      return renderVerboseJson(t, opts);
    case 'text':
      return renderText(t);
    case 'srt':
      return renderSrt(t);
    case 'vtt':
      return renderVtt(t);
  }
}
