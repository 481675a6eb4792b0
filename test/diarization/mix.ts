/**
 * Multi-speaker audio built from single-speaker clips in test/fixtures/audio,
 * with its reference turns: each clip's leading and trailing silence is cut
 * (so a reference turn is speech from end to end), and clips are joined with
 * a short pause.
 */
import type { SpeakerTurn } from '../../src/diarization/types.js';
import { createFfmpegDecoder } from '../../src/audio/ffmpeg.js';
import { audioPath } from '../support/paths.js';

export interface MixPart {
  file: string;
  speaker: string;
  /** Seconds of the clip to keep, before trimming silence. */
  from?: number;
  to?: number;
}

const RATE = 16000;
const decoder = createFfmpegDecoder();

export async function loadClip(file: string, from = 0, to = Infinity): Promise<Float32Array> {
  const { pcm } = await decoder.decodeFile(audioPath(file));
  return trimSilence(pcm.subarray(Math.round(from * RATE), Math.min(pcm.length, Math.round(to * RATE))));
}

/** Cuts leading/trailing 20 ms frames quieter than -40 dB below the clip's loudest frame. */
export function trimSilence(pcm: Float32Array): Float32Array {
  const F = 320;
  const rms: number[] = [];
  for (let i = 0; i + F <= pcm.length; i += F) {
    let s = 0;
    for (let j = i; j < i + F; j++) s += pcm[j] * pcm[j];
    rms.push(Math.sqrt(s / F));
  }
  const floor = Math.max(...rms) * 10 ** (-40 / 20);
  const first = rms.findIndex((r) => r > floor);
  const last = rms.length - 1 - [...rms].reverse().findIndex((r) => r > floor);
  return pcm.slice(Math.max(0, first) * F, Math.min(pcm.length, (last + 1) * F));
}

export async function buildMix(parts: MixPart[], pause = 0.6): Promise<{ pcm: Float32Array; turns: SpeakerTurn[] }> {
  const clips = await Promise.all(parts.map((p) => loadClip(p.file, p.from, p.to)));
  const gap = Math.round(pause * RATE);
  const total = clips.reduce((n, c) => n + c.length, 0) + gap * (clips.length + 1);
  const pcm = new Float32Array(total);
  const turns: SpeakerTurn[] = [];
  let at = gap;
  clips.forEach((c, i) => {
    pcm.set(c, at);
    turns.push({ start: at / RATE, end: (at + c.length) / RATE, speaker: parts[i].speaker });
    at += c.length + gap;
  });
  return { pcm, turns };
}

/**
 * 4 speakers in 6 turns, two of them returning: LibriSpeech 1272 (two
 * different utterances), LJSpeech (one utterance cut in two), JFK,
 * LibriSpeech 2412.
 */
export const FOUR_SPEAKER_MIX: MixPart[] = [
  { file: 'librispeech_1272-141231-0002.flac', speaker: 'ls1272' },
  { file: 'ljspeech_LJ050-0131.wav', speaker: 'lj', to: 4.0 },
  { file: 'jfk.wav', speaker: 'jfk', from: 3.6 },
  { file: 'librispeech_2412-153948-0000.flac', speaker: 'ls2412' },
  { file: 'picovoice_test.wav', speaker: 'ls1272' }, // LibriSpeech 1272-128104-0000: the same reader again
  { file: 'ljspeech_LJ050-0131.wav', speaker: 'lj', from: 4.0 },
];

/** References for the known-speaker test (2–10 s, as the API requires), from audio the mix does not use. */
export const KNOWN_REFERENCES: { name: string; speaker: string; parts: MixPart[] }[] = [
  { name: 'Linda', speaker: 'lj', parts: [{ file: 'ljspeech_LJ002-0020.wav', speaker: 'lj' }, { file: 'ljspeech_LJ002-0035.wav', speaker: 'lj' }] },
  { name: 'John', speaker: 'jfk', parts: [{ file: 'jfk.wav', speaker: 'jfk', to: 3.4 }] },
];

export async function referencePcm(r: (typeof KNOWN_REFERENCES)[number]): Promise<Float32Array> {
  return (await buildMix(r.parts, 0.2)).pcm;
}

/** Reads diarization.tsv: the reference turns of picovoice_falcon_3speakers.wav. */
export async function falconReference(): Promise<SpeakerTurn[]> {
  const { readFile } = await import('node:fs/promises');
  const rows = (await readFile(audioPath('diarization.tsv'), 'utf8')).trim().split('\n').slice(1);
  return rows
    .map((r) => r.split('\t'))
    .filter(([file]) => file === 'picovoice_falcon_3speakers.wav')
    .map(([, start, end, speaker]) => ({ start: Number(start), end: Number(end), speaker }));
}
