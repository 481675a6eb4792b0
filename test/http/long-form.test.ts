/**
 * LONG_FORM=chunked through the HTTP door (fake pool, decoder and VAD): a file of 30 s and more is
 * cut where the VAD found pauses, each chunk is one decode over its own length, and the reply's
 * segments are in the file's time base. Shorter files, and LONG_FORM=windows, stay one decode.
 */
import { afterEach, describe, expect, test } from 'vitest';
import type { SpeechSpan } from '../../src/engine/types.js';
import { fakeVad } from '../support/fake-vad.js';
import { audioFile, makeTestApp, multipart, type TestApp } from './helpers/app.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function appWithSpeech(spans: SpeechSpan[], env: Record<string, string> = {}) {
  const vad = fakeVad();
  vad.detect = async () => spans;
  t = await makeTestApp(env, {}, { vad });
  return t;
}

const post = async (app: TestApp, seconds: number) =>
  app.app.inject({ method: 'POST', url: '/v1/audio/transcriptions', ...(await multipart({ file: audioFile(seconds), model: 'tiny.en', response_format: 'verbose_json' })) });

describe('long files, chunked at pauses', () => {
  test('one decode per chunk, short windows, segments shifted into the file', async () => {
    const app = await appWithSpeech([
      { start: 1, end: 10 },
      { start: 11, end: 20 },
      { start: 21, end: 35 },
      { start: 40, end: 58 },
    ]);
    const res = await post(app, 60);
    expect(res.statusCode).toBe(200);
    // [1, 10] + [11, 20] merge (19 s); [21, 35] would make 34 s, so it starts a chunk; [40, 58] would make 37 s.
    expect(app.pool.params).toHaveLength(3);
    for (const p of app.pool.params) {
      expect(p.vad).toBeUndefined();
      expect(p.audioCtx).toBeLessThan(1500);
    }
    const body = res.json();
    // The fake model answers two segments at 0–2 s and 2–4 s of each chunk; each chunk starts 0.3 s
    // before its speech (LONG_FORM.leadInSeconds), and the times are counted from there.
    expect(body.segments.map((s: { id: number; start: number }) => [s.id, s.start])).toEqual([[0, 0.7], [1, 2.7], [2, 20.7], [3, 22.7], [4, 39.7], [5, 41.7]]);
    expect(body.text).toBe('Hello there. General Kenobi. Hello there. General Kenobi. Hello there. General Kenobi.');
    expect(body.duration).toBeCloseTo(60, 0);
  });

  test('a file under 30 s, or LONG_FORM=windows, is a single decode', async () => {
    const short = await appWithSpeech([{ start: 1, end: 20 }]);
    await post(short, 25);
    expect(short.pool.params).toHaveLength(1);
    await short.close();
    t = undefined;
    const windows = await appWithSpeech([{ start: 1, end: 20 }, { start: 30, end: 55 }], { LONG_FORM: 'windows' });
    await post(windows, 60);
    expect(windows.pool.params).toHaveLength(1);
    expect(windows.pool.params[0].vad).toBeDefined();
  });

  test('no speech at all: an empty transcript, and no decode', async () => {
    const app = await appWithSpeech([]);
    const res = await post(app, 45);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ text: '', segments: [] });
    expect(app.pool.params).toHaveLength(0);
  });
});
