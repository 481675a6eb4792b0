import { describe, expect, it } from 'vitest';
import { channelStats, channelsAreDistinct, mergeChannelTranscripts } from '../../src/diarization/channels.js';
import type { SpeakerTurn } from '../../src/diarization/types.js';
import { renderDiarizedJson } from '../../src/format/diarized.js';
import { render } from '../../src/format/index.js';
import { labelSpeakers } from '../../src/services/speaker-labels.js';
import { seg, transcript } from './format-fixtures.js';

/** A 200 Hz tone over [from, to) seconds, silence elsewhere. */
function tone(seconds: number, spans: [number, number][], amp = 0.3): Float32Array {
  const x = new Float32Array(seconds * 16_000);
  for (const [a, b] of spans) for (let i = a * 16_000; i < b * 16_000; i++) x[i] = amp * Math.sin((2 * Math.PI * 200 * i) / 16_000);
  return x;
}

describe('stereo channels', () => {
  it('two parties taking turns on their own channels are distinct', () => {
    const left = tone(6, [[0, 2], [4, 5]]);
    const right = tone(6, [[2, 4]]);
    expect(channelStats(left, right).soloShare).toBeGreaterThan(0.9);
    expect(channelsAreDistinct(left, right)).toBe(true);
  });

  it('a mono file upmixed (equal channels) and one voice heard by two microphones are not', () => {
    const voice = tone(4, [[0, 3]]);
    expect(channelsAreDistinct(voice, voice)).toBe(false);
    const far = voice.map((v) => v * 0.5);
    expect(channelsAreDistinct(voice, far)).toBe(false);
    expect(channelsAreDistinct(new Float32Array(16_000), new Float32Array(16_000))).toBe(false);
  });

  it('merges per-channel transcripts by time, labelling channels in order of first speech', () => {
    const left = transcript({ text: ' late', segments: [seg(0, 3, 4, ' Late left.')], duration: 5 });
    const right = transcript({ text: ' early', segments: [seg(0, 0.5, 2, ' Early right.'), seg(1, 4.5, 5, ' ')], duration: 5 });
    const t = mergeChannelTranscripts([left, right]);
    expect(t.speakers).toEqual([
      { start: 0.5, end: 2, speaker: 'A', text: 'Early right.' },
      { start: 3, end: 4, speaker: 'B', text: 'Late left.' },
    ]);
    expect(t.segments.map((s) => s.id)).toEqual([0, 1]);
    expect(t.text).toBe('Early right. Late left.');
  });
});

describe('labelling words with speaker turns', () => {
  const words = (list: [string, number, number][]) => list.map(([word, start, end]) => ({ word, start, end, probability: 0.9 }));
  const t = transcript({
    segments: [seg(0, 0, 4, ' Hi there. Hello you.'), seg(1, 4, 6, ' Bye.')],
    words: words([['Hi', 0, 0.5], ['there.', 0.5, 1], ['Hello', 2, 2.5], ['you.', 2.5, 3], ['Bye.', 4.2, 4.8]]),
  });

  it('cuts the text where the speaker changes and at segment ends; letters follow first appearance', () => {
    const turns: SpeakerTurn[] = [
      { start: 0, end: 1.5, speaker: 'B' },
      { start: 1.5, end: 3.5, speaker: 'A' },
      { start: 4, end: 6, speaker: 'B' },
    ];
    expect(labelSpeakers(t, turns)).toEqual([
      { start: 0, end: 1, speaker: 'A', text: 'Hi there.' },
      { start: 2, end: 3, speaker: 'B', text: 'Hello you.' },
      { start: 4.2, end: 4.8, speaker: 'A', text: 'Bye.' },
    ]);
  });

  it('keeps known names, gives a word in a gap to the nearest turn', () => {
    const turns: SpeakerTurn[] = [
      { start: 0, end: 0.9, speaker: 'agent' },
      { start: 2.1, end: 4, speaker: 'S1' },
    ];
    const out = labelSpeakers(t, turns, ['agent']);
    expect(out.map((s) => s.speaker)).toEqual(['agent', 'A', 'A']);
  });

  it('labels whole segments without word timestamps', () => {
    const out = labelSpeakers({ ...t, words: undefined }, [{ start: 0, end: 3.9, speaker: 'X' }, { start: 3.9, end: 6, speaker: 'Y' }]);
    expect(out).toEqual([
      { start: 0, end: 4, speaker: 'A', text: 'Hi there. Hello you.' },
      { start: 4, end: 6, speaker: 'B', text: 'Bye.' },
    ]);
  });

  it('refuses to label with no turns at all', () => {
    expect(() => labelSpeakers(t, [])).toThrow();
  });
});

describe('diarized_json', () => {
  it("is OpenAI's TranscriptionDiarized, field for field", () => {
    const t = transcript({ duration: 4.5, text: 'Hi. Bye.', speakers: [{ start: 0, end: 1, speaker: 'A', text: ' Hi.' }, { start: 2, end: 4.5, speaker: 'B', text: 'Bye.' }] });
    const r = render('diarized_json', t);
    expect(r.contentType).toMatch(/^application\/json/);
    expect(r.body).toEqual({
      task: 'transcribe',
      duration: 4.5,
      text: 'Hi. Bye.',
      segments: [
        { type: 'transcript.text.segment', id: 'seg_0', start: 0, end: 1, speaker: 'A', text: 'Hi.' },
        { type: 'transcript.text.segment', id: 'seg_1', start: 2, end: 4.5, speaker: 'B', text: 'Bye.' },
      ],
      usage: { type: 'duration', seconds: 5 },
    });
  });

  it('never renders a transcript that was not diarized', () => {
    expect(() => renderDiarizedJson(transcript())).toThrow();
  });
});
