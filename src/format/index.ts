/** Pure renderers: a domain Transcript in, `{ body, contentType }` out. No HTTP, no engine. */
import type { Transcript } from '../engine/types.js';
import { renderJson, renderVerboseJson, type VerboseOptions } from './json.js';
import { renderSrt, renderText, renderVtt } from './text.js';
import type { Rendered, ResponseFormat } from './types.js';

export * from './types.js';
export { renderJson, renderVerboseJson, renderSrt, renderText, renderVtt };

export function render(format: ResponseFormat, t: Transcript, opts: VerboseOptions = {}): Rendered {
  switch (format) {
    case 'json':
      return renderJson(t);
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
