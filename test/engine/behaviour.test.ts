import { copyFileSync, mkdtempSync, openSync, readSync, closeSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Segment } from '../../src/engine/types.js';
import { audioPath, requireModel } from '../support/paths.js';
import { normalize, wer } from '../support/wer.js';
import { realEngine } from './setup.js';

const JFK = 'And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.';
const { engine, pool, decoder, transcribe } = realEngine({ concurrency: 3 });
afterAll(() => pool.close());

describe('audio formats, channels and rates', () => {
  it.each(['jfk.mp3', 'jfk.flac'])('%s (other codec; the flac is 44.1 kHz stereo) gives the jfk sentence', async (clip) => {
    const t = await transcribe('tiny.en', clip);
    expect(wer(JFK, t.text)).toBeLessThanOrEqual(0.05);
  });

  it('decodes AIFF, 22.05 kHz, 44.1 kHz and stereo input to 16 kHz mono of the right length', async () => {
    for (const [clip, seconds] of [['sr_french.aiff', 2.533], ['ljspeech_LJ002-0035.wav', 1.598], ['sr_english.wav', 2.745], ['fw_stereo_diarization.wav', 5]] as const) {
      const { pcm, duration } = await decoder.decodeFile(audioPath(clip));
      expect([clip, Math.abs(duration - seconds) < 0.05]).toEqual([clip, true]);
      expect(pcm.length).toBe(Math.round(duration * 16000));
    }
  });

  it('transcribes 44.1 kHz and 22.05 kHz speech', async () => {
    expect(normalize((await transcribe('tiny.en', 'sr_english.wav')).text)).toEqual(['one', 'two', 'three']);
    expect(wer('Eight. The press yard.', (await transcribe('tiny.en', 'ljspeech_LJ002-0035.wav')).text)).toBeLessThanOrEqual(0.25);
  });

  it('rejects undecodable input with ffmpeg’s reason as a 400', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'engine-test-'));
    const bogus = path.join(dir, 'noise.mp3');
    writeFileSync(bogus, Buffer.alloc(4096, 7));
    await expect(decoder.decodeFile(bogus)).rejects.toMatchObject({ status: 400, param: 'file', message: expect.stringMatching(/corrupted or unsupported: .+/) });
  });

  it('pads input under one second so it still transcribes', async () => {
    const { pcm } = await decoder.decodeFile(audioPath('sr_chinese.flac'));
    expect(pcm.length).toBeLessThan(16000);
    const t = await pool.withModel('base', undefined, (m) => m.transcribe(pcm, { beamSize: 1 }));
    expect(t.text.length).toBeGreaterThan(0);
    expect(t.duration).toBeLessThan(1);
  });
});

describe('segments, words and progress', () => {
  it('streams every segment before the transcription resolves, identical to the final ones', async () => {
    const streamed: Segment[] = [];
    const progress: number[] = [];
    let resolved = false;
    const t = await transcribe('tiny.en', 'long_concat_en_16k.wav', {}, {
      onSegment: (s) => {
        expect(resolved).toBe(false);
        streamed.push(s);
      },
      onProgress: (p) => progress.push(p),
    }).finally(() => (resolved = true));
    expect(t.segments.length).toBeGreaterThan(5);
    expect(streamed).toEqual(t.segments);
    expect(progress.every((p, i) => p >= 0 && p <= 1 && (i === 0 || p >= progress[i - 1]))).toBe(true);
    for (const s of t.segments) {
      expect(s.end).toBeGreaterThanOrEqual(s.start);
      expect(s.tokens.length).toBeGreaterThan(0);
      expect(s.avg_logprob).toBeLessThan(0);
      expect(s.compression_ratio).toBeGreaterThan(0);
    }
  });

  it('gives ordered word timestamps inside the audio when asked', async () => {
    const t = await transcribe('tiny.en', 'jfk.wav', { wordTimestamps: true });
    const words = t.words!;
    expect(words.map((w) => w.word.replace(/[^\w]/g, '').toLowerCase())).toEqual(normalize(t.text));
    for (let i = 0; i < words.length; i++) {
      expect(words[i].end).toBeGreaterThanOrEqual(words[i].start);
      if (i > 0) expect(words[i].start).toBeGreaterThanOrEqual(words[i - 1].start);
    }
    expect(words.at(-1)!.end).toBeLessThanOrEqual(11.05);
  });
});

describe('concurrency on one loaded model', () => {
  it('concurrent transcriptions produce the same text as serial ones', async () => {
    const clips = ['jfk.wav', 'picovoice_test.wav', 'ljspeech_LJ050-0131.wav'];
    const serial = [];
    for (const c of clips) serial.push((await transcribe('tiny.en', c)).text);
    const parallel = await Promise.all(clips.map((c) => transcribe('tiny.en', c).then((t) => t.text)));
    expect(parallel).toEqual(serial);
  });
});

describe('cancellation', () => {
  it('an abort mid-way through the 80 s clip stops compute and frees the slot quickly', async () => {
    const ac = new AbortController();
    let abortedAt = 0;
    const job = transcribe('tiny.en', 'long_concat_en_16k.wav', {}, {
      signal: ac.signal,
      // Abort once real work is under way: after the first segment arrives.
      onSegment: () => {
        if (!abortedAt) {
          abortedAt = performance.now();
          ac.abort();
        }
      },
    });
    await expect(job).rejects.toMatchObject({ code: 'request_cancelled' });
    const freedAfterMs = performance.now() - abortedAt;
    console.info(`slot freed ${freedAfterMs.toFixed(0)} ms after abort`);
    expect(pool.stats().find((s) => s.model === 'tiny.en')).toMatchObject({ inFlight: 0 });
    // ggml checks the flag after every graph node (patched in): tens of ms here; generous bound
    // for a loaded two-core machine.
    expect(freedAfterMs).toBeLessThan(1000);
    // The model is still usable afterwards.
    expect(normalize((await transcribe('tiny.en', 'sr_english.wav')).text)).toEqual(['one', 'two', 'three']);
  });

  it('an already-aborted signal never starts native work', async () => {
    const { pcm } = await decoder.decodeFile(audioPath('jfk.wav'));
    const model = await engine.loadModel(requireModel('tiny.en'), { name: 'tiny.en' });
    await expect(model.transcribe(pcm, {}, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'request_cancelled' });
    await model.free();
  });
});

describe('model loading failures', () => {
  it('a missing model file is a clear 503, not a crash', async () => {
    await expect(engine.loadModel('/nonexistent/ggml-x.bin', { name: 'x' })).rejects.toMatchObject({ status: 503, code: 'model_unavailable' });
  });

  it('a file that is not a ggml model rejects', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'engine-test-'));
    const file = path.join(dir, 'ggml-bogus.bin');
    copyFileSync(audioPath('jfk.wav'), file);
    await expect(engine.loadModel(file, { name: 'bogus' })).rejects.toMatchObject({ status: 503, message: expect.stringContaining('bogus') });
  });

  it('a truncated model file rejects', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'engine-test-'));
    const file = path.join(dir, 'ggml-truncated.bin');
    const head = Buffer.alloc(2_000_000);
    const fd = openSync(requireModel('tiny.en'), 'r');
    readSync(fd, head, 0, head.length, 0);
    closeSync(fd);
    writeFileSync(file, head);
    await expect(engine.loadModel(file, { name: 'truncated' })).rejects.toMatchObject({ status: 503 });
  });
});

describe('concurrency on whisper.cpp 1.9.1', () => {
  it('16 transcriptions at once on one model (16 reused states) all give the same text', async () => {
    const { pool: wide, decoder: d } = realEngine({ concurrency: 16, maxQueue: 0 });
    try {
      const { pcm } = await d.decodeFile(audioPath('sr_english.wav'));
      const texts = await Promise.all(
        Array.from({ length: 16 }, () => wide.withModel('tiny.en', undefined, (m, signal) => m.transcribe(pcm, { beamSize: 1, threads: 1 }, { signal }))),
      );
      for (const t of texts) expect(normalize(t.text)).toEqual(['one', 'two', 'three']);
      expect(wide.stats().find((s) => s.model === 'tiny.en')).toMatchObject({ inFlight: 0, completed: 16 });
    } finally {
      await wide.close();
    }
  });
});
