import type { Transcript } from '../engine/types.js';
import { cueText, srtTime, vttTime } from './timestamps.js';
import { type Rendered, TEXT_CONTENT_TYPE, VTT_CONTENT_TYPE } from './types.js';

/** `text`: the transcript and a trailing newline, as the hosted API sends it. */
export function renderText(t: Transcript): Rendered<string> {
  return { body: `${t.text.trim()}\n`, contentType: TEXT_CONTENT_TYPE };
}

/** `srt`: numbered cues from 1, blank line after each. */
export function renderSrt(t: Transcript): Rendered<string> {
  const cues = t.segments.map(
    (s, i) => `${i + 1}\n${srtTime(s.start)} --> ${srtTime(s.end)}\n${cueText(s.text)}\n\n`,
  );
  return { body: cues.join(''), contentType: TEXT_CONTENT_TYPE };
}

/** `vtt`: WebVTT header, then unnumbered cues. */
export function renderVtt(t: Transcript): Rendered<string> {
  const cues = t.segments.map((s) => `${vttTime(s.start)} --> ${vttTime(s.end)}\n${cueText(s.text)}\n\n`);
  return { body: `WEBVTT\n\n${cues.join('')}`, contentType: VTT_CONTENT_TYPE };
}
