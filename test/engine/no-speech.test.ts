/**
 * Silence, noise and framed speech with the real models (issue: "no hallucinated text").
 * Clips are generated with ffmpeg here. "Default settings" are the server's: beam 5, best_of 5 and
 * VAD_FILTER=auto (Silero before decoding), built by the same vadFor() the service uses.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vadFor } from '../../src/services/transcription.js';
import type { DecodeParams } from '../../src/engine/types.js';
import { audioPath, requireModel } from '../support/paths.js';
import { wer } from '../support/wer.js';
import { realEngine } from './setup.js';

const JFK = 'And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.';
const dir = mkdtempSync(path.join(tmpdir(), 'no-speech-'));
const clip = (name: string) => path.join(dir, name);
const ffmpeg = (...args: string[]) => execFileSync('ffmpeg', ['-v', 'error', '-y', ...args]);

const { engine, pool, decoder } = realEngine({ concurrency: 2 });
const defaults: DecodeParams = { beamSize: 5, bestOf: 5, vad: vadFor(undefined, { default: 'auto', available: true }) };
const noVad: DecodeParams = { beamSize: 1, bestOf: 1 };

async function run(model: string, file: string, params: DecodeParams) {
  const { pcm } = await decoder.decodeFile(file);
  return pool.withModel(model, undefined, (m, signal) => m.transcribe(pcm, params, { signal }));
}

beforeAll(async () => {
  await engine.loadVad!(requireModel('silero-v6.2.0'));
  ffmpeg('-f', 'lavfi', '-i', 'anullsrc=r=16000:cl=mono', '-t', '30', clip('silence.wav'));
  // Quiet pink noise: about -34 dBFS.
  ffmpeg('-f', 'lavfi', '-i', 'anoisesrc=d=20:c=pink:r=16000:a=0.02', clip('noise.wav'));
  ffmpeg('-f', 'lavfi', '-i', 'anullsrc=r=16000:cl=mono', '-t', '10', clip('s10.wav'));
  ffmpeg('-i', clip('s10.wav'), '-i', audioPath('jfk.wav'), '-i', clip('s10.wav'), '-filter_complex',
    '[1:a]aresample=16000,aformat=channel_layouts=mono[j];[0:a][j][2:a]concat=n=3:v=0:a=1', clip('framed.wav'));
});
afterAll(() => pool.close());

describe.each(['tiny.en', 'base'])('%s with default settings (beam 5, VAD auto)', (model) => {
  it('30 s of digital silence gives no text at all', async () => {
    const t = await run(model, clip('silence.wav'), defaults);
    expect(t.text).toBe('');
    expect(t.segments).toEqual([]);
    expect(t.duration).toBeCloseTo(30, 1);
  });

  it('20 s of quiet pink noise gives no words', async () => {
    const t = await run(model, clip('noise.wav'), defaults);
    expect(t.text.replace(/[^\p{L}\p{N}]/gu, '')).toBe('');
  });

  it('speech framed by 10 s of silence keeps every word, with timestamps in the original time base', async () => {
    const t = await run(model, clip('framed.wav'), { ...defaults, wordTimestamps: true });
    expect(wer(JFK, t.text)).toBeLessThanOrEqual(0.05);
    // jfk.wav's speech runs from 0.3 s to 10.6 s of the clip, so 10.3 s to 20.6 s here.
    expect(t.segments[0].start).toBeGreaterThan(9.5);
    expect(t.segments.at(-1)!.end).toBeLessThan(21.5);
    expect(t.segments.at(-1)!.end).toBeGreaterThan(19.5);
    // Word times are mapped back through the VAD too.
    expect(t.words![0].start).toBeGreaterThan(9.5);
    expect(t.words!.at(-1)!.end).toBeLessThan(21.5);
    for (const s of t.segments) expect(s.no_speech_prob).toBeLessThan(0.3);
  });
});

describe.each(['tiny.en', 'base'])('%s no_speech_prob without VAD (greedy)', (model) => {
  it('drops the silent window (high no-speech probability) and is low on speech', async () => {
    const silence = await run(model, clip('silence.wav'), noVad);
    expect(silence.text).toBe('');
    const speech = await run(model, audioPath('jfk.wav'), noVad);
    expect(speech.segments.length).toBeGreaterThan(0);
    for (const s of speech.segments) expect(s.no_speech_prob).toBeLessThan(0.3);
    expect(speech.segments.some((s) => s.no_speech_prob > 0)).toBe(true);
  });
});

// The patch computes the vocabulary projection only for the positions whisper.cpp reads: with a
// prompt, the multilingual model's <|startoftranscript|> row (no_speech_prob) is no longer the last
// (language and task tokens follow it), so the two asked-for rows must land where they belong.
describe.each(['tiny.en', 'base'])('%s no_speech_prob with a prompt (greedy, no VAD)', (model) => {
  const prompted: DecodeParams = { ...noVad, prompt: 'Mister Quilter is the apostle of the middle classes, and we are glad to welcome his gospel.' };

  it('still drops the silent window, and reads the speech as without the prompt', async () => {
    const silence = await run(model, clip('silence.wav'), prompted);
    expect(silence.text).toBe('');
    const speech = await run(model, audioPath('jfk.wav'), prompted);
    expect(wer(JFK, speech.text)).toBeLessThanOrEqual(0.05);
    for (const s of speech.segments) expect(s.no_speech_prob).toBeLessThan(0.3);
    expect(speech.segments.some((s) => s.no_speech_prob > 0)).toBe(true);
  });
});
