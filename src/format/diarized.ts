/**
 * `diarized_json`: OpenAI's TranscriptionDiarized, and the `transcript.text.segment` objects it
 * shares with the stream. Needs a transcript whose speakers were found; anything else is a bug
 * upstream, never a half-labelled answer.
 */
import type { SpeakerSegment, Transcript } from '../engine/types.js';
import { JSON_CONTENT_TYPE, type Rendered } from './types.js';
import { durationUsage, type DurationUsage } from './usage.js';

export interface DiarizedSegmentJson {
  type: 'transcript.text.segment';
  id: string;
  start: number;
  end: number;
  speaker: string;
  text: string;
}

export interface TranscriptionDiarizedJson {
  task: 'transcribe';
  duration: number;
  text: string;
  segments: DiarizedSegmentJson[];
  usage: DurationUsage;
}

export const segmentId = (index: number) => `seg_${index}`;

export function diarizedSegment(s: SpeakerSegment, index: number): DiarizedSegmentJson {
  return { type: 'transcript.text.segment', id: segmentId(index), start: s.start, end: s.end, speaker: s.speaker, text: s.text.trim() };
}

export function renderDiarizedJson(t: Transcript): Rendered<TranscriptionDiarizedJson> {
  if (!t.speakers) throw new Error('diarized_json needs a diarized transcript');
  return {
    body: {
      task: 'transcribe',
      duration: t.duration,
      text: t.text.trim(),
      segments: t.speakers.map(diarizedSegment),
      usage: durationUsage(t.duration),
    },
    contentType: JSON_CONTENT_TYPE,
  };
}
