/**
 * Labels a transcript with speaker turns (pure). Words go to the turn they overlap most (or the
 * nearest one, for a word that falls in a gap), and the text is cut wherever the speaker
 * changes or a whisper segment ends. Without word timestamps, whole segments are labelled.
 * Speakers the client did not name are relabelled `A`, `B`, … in the order they first speak
 * in the text, so the labels never skip a letter.
 */
import type { SpeakerTurn } from '../diarization/types.js';
import type { SpeakerSegment, Transcript } from '../engine/types.js';

function speakerAt(start: number, end: number, turns: readonly SpeakerTurn[]): string | undefined {
  let best: SpeakerTurn | undefined;
  let bestScore = -Infinity;
  for (const turn of turns) {
    const overlap = Math.min(end, turn.end) - Math.max(start, turn.start);
    // No overlap: the negative gap, so the nearest turn wins.
    const score = overlap > 0 ? overlap : Math.min(overlap, 0) - 1e-6;
    if (score > bestScore) {
      bestScore = score;
      best = turn;
    }
  }
  return best?.speaker;
}

interface Piece {
  start: number;
  end: number;
  text: string;
  segment: number;
}

export function labelSpeakers(t: Transcript, turns: readonly SpeakerTurn[], knownNames: readonly string[] = []): SpeakerSegment[] {
  if (turns.length === 0) throw new Error('no speaker turns to label the transcript with');
  const pieces: Piece[] = [];
  if (t.words?.length) {
    let seg = 0;
    for (const w of t.words) {
      while (seg + 1 < t.segments.length && t.segments[seg + 1].start <= w.start) seg++;
      pieces.push({ start: w.start, end: w.end, text: w.word, segment: seg });
    }
  } else {
    t.segments.forEach((s, i) => pieces.push({ start: s.start, end: s.end, text: s.text.trim(), segment: i }));
  }

  const out: (SpeakerSegment & { segment: number })[] = [];
  for (const p of pieces) {
    if (!p.text) continue;
    const speaker = speakerAt(p.start, p.end, turns) ?? turns[0].speaker;
    const last = out.at(-1);
    if (last && last.speaker === speaker && last.segment === p.segment) {
      last.end = p.end;
      last.text += ` ${p.text}`;
    } else {
      out.push({ start: p.start, end: p.end, speaker, text: p.text, segment: p.segment });
    }
  }

  const known = new Set(knownNames);
  const letters = new Map<string, string>();
  return out.map(({ start, end, speaker, text }) => {
    if (!known.has(speaker) && !letters.has(speaker)) letters.set(speaker, String.fromCharCode(65 + letters.size));
    return { start, end, speaker: known.has(speaker) ? speaker : letters.get(speaker)!, text };
  });
}
