/**
 * The seam between committed and new words, on the server defaults (REALTIME_AUDIO_CTX=auto: a
 * window sized to the turn, whose word times drift most) and real tiny.en: the three clips of the
 * live tests streamed at 1×, 2× and 4× real speed, manual commit and server_vad. No phrase may be
 * said twice where the reference says it once (repeatedPhrases), and each turn's deltas must add up
 * to `completed`. Then `delay: "high"`, whose confidence gate must send from the partials only words
 * the newer decode was sure of.
 */
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { pcm24k, streamAudio } from './helpers/realtime.js';
import { AUDIO, audio, requireWeights, startServer, type RunningServer } from './helpers/server.js';
import { lostPhrases, repeatedPhrases } from '../support/repeats.js';
import { wer } from '../support/wer.js';

const CLIPS = ['jfk.wav', 'librispeech_2412-153948-0000.flac', 'ljspeech_LJ050-0131.wav'];
const REFS = new Map(
  readFileSync(`${AUDIO}/transcripts.tsv`, 'utf8')
    .split('\n')
    .map((l) => l.split('\t'))
    .filter((f) => f.length >= 5)
    .map((f) => [f[0], f[4]]),
);
let server: RunningServer;

beforeAll(async () => {
  requireWeights('tiny.en');
  // Defaults, but for the pool split the rest of the suite uses on 2 cores.
  server = await startServer({ PRELOAD_MODELS: 'tiny.en', POOL_CONCURRENCY: '2', THREADS_PER_REQUEST: '1' }, 120_000);
}, 150_000);
afterAll(async () => {
  await server?.stop();
});

type Ev = { type: string; [k: string]: any };

/** Streams one clip at `speed`; resolves with every server event once each turn completed. */
async function stream(clip: string, speed: number, vad: boolean, session: Record<string, unknown> = {}, transcription: Record<string, unknown> = {}): Promise<Ev[]> {
  const ws = new WebSocket(`${server.url.replace('http', 'ws')}/v1/realtime?intent=transcription`);
  const events: Ev[] = [];
  ws.on('message', (d: Buffer) => events.push(JSON.parse(d.toString())));
  await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
  const count = (t: string) => events.filter((e) => e.type === t).length;
  const until = async (ok: () => boolean) => {
    for (const end = Date.now() + 90_000; !ok(); await new Promise((r) => setTimeout(r, 50))) {
      if (Date.now() > end) throw new Error(`${clip} ${speed}×: timed out; events ${events.map((e) => e.type).join(', ')}`);
    }
  };
  const td = vad ? { type: 'server_vad', threshold: 0.5, prefix_padding_ms: 300, silence_duration_ms: 500 } : null;
  ws.send(JSON.stringify({ type: 'session.update', session: { type: 'transcription', ...session, audio: { input: { turn_detection: td, transcription } } } }));
  await until(() => count('session.updated') + count('error') > 0);
  await streamAudio(pcm24k(audio(clip), vad ? 1.5 : 0), (c) => ws.send(JSON.stringify({ type: 'input_audio_buffer.append', audio: c.toString('base64') })), 100, speed);
  if (!vad) ws.send(JSON.stringify({ type: 'input_audio_buffer.commit' }));
  await until(() => count('input_audio_buffer.committed') > 0 && count('conversation.item.input_audio_transcription.completed') === count('input_audio_buffer.committed'));
  ws.close();
  return events;
}

describe('the seam on the server defaults (audio_ctx auto)', () => {
  for (const speed of [1, 2, 4]) {
    for (const vad of [false, true]) {
      test(`${speed}× real speed, ${vad ? 'server_vad' : 'manual commit'}: no repeated phrase, deltas add up to completed`, async () => {
        const runs = await Promise.all(CLIPS.map((c) => stream(c, speed, vad)));
        runs.forEach((events, i) => {
          const clip = CLIPS[i];
          expect(events.filter((e) => e.type === 'error')).toEqual([]);
          const completed = events.filter((e) => e.type === 'conversation.item.input_audio_transcription.completed');
          for (const c of completed) {
            const deltas = events.filter((e) => e.type === 'conversation.item.input_audio_transcription.delta' && e.item_id === c.item_id);
            expect(deltas.map((d) => d.delta).join('')).toBe(c.transcript);
          }
          const text = completed.map((c) => c.transcript).join(' ');
          const ref = REFS.get(clip)!;
          expect({ clip, repeated: repeatedPhrases(ref, text) }).toEqual({ clip, repeated: [] });
          // tiny.en on turns cut by the VAD reads a word or two differently; a repeated seam costs far more.
          expect({ clip, text, wer: wer(ref, text) }).toEqual({ clip, text, wer: expect.toSatisfy((w: number) => w <= (vad ? 0.2 : 0.15)) });
        });
      }, 120_000);
    }
  }

  // One 80 s manual turn is trimmed at committed words as it grows (no decode sees more than 30 s).
  // Cut right at the last committed word, the next decodes heard a second of speech from
  // mid-sentence, misread it, and two misreadings agreed: whole phrases were lost (streamed WER
  // 0.10 and 0.20 in two runs, the upload 0.056). A trim now keeps 5 s of committed speech.
  test('one long manual turn (80 s, 1×): trims lose no phrase, deltas add up to completed', async () => {
    const clip = 'long_concat_en_16k.wav';
    const events = await stream(clip, 1, false);
    expect(events.filter((e) => e.type === 'error')).toEqual([]);
    const [completed] = events.filter((e) => e.type === 'conversation.item.input_audio_transcription.completed');
    const deltas = events.filter((e) => e.type === 'conversation.item.input_audio_transcription.delta');
    expect(deltas.map((d) => d.delta).join('')).toBe(completed.transcript);
    const ref = REFS.get(clip)!;
    expect({ repeated: repeatedPhrases(ref, completed.transcript) }).toEqual({ repeated: [] });
    const text = completed.transcript;
    expect({ lost: lostPhrases(ref, text) }).toEqual({ lost: [] });
    // Misreadings vary with when the partials run: 0.06-0.09 on the slower engine, 0.09-0.10 since the
    // seventh session's faster decodes (more partials, each with less audio after its words: issue 15's
    // streamed-WER gap). The phrases lost before the 5 s trim gave 0.10 and 0.20: the check above.
    expect({ text, wer: wer(ref, text) }).toEqual({ text, wer: expect.toSatisfy((w: number) => w <= 0.12) });
  }, 150_000);
});

// delay "high": two decodes must agree and the newer one must give the word a probability of at least
// 0.5 (src/realtime/cadence.ts). The logprobs of a delta are per word (src/realtime/logprobs.ts), so
// every word sent before the commit, from the partials, must show it; the final decode's words
// (after the commit) are sent whatever their probability.
describe('delay high: the confidence gate on real tiny.en', () => {
  test('manual turns at 2×: the words partials sent were sure ones, deltas add up, no repeated phrase', async () => {
    const include = ['item.input_audio_transcription.logprobs'];
    const runs = await Promise.all(CLIPS.map((c) => stream(c, 2, false, { include }, { delay: 'high' })));
    let early = 0;
    runs.forEach((events, i) => {
      const clip = CLIPS[i];
      expect(events.filter((e) => e.type === 'error')).toEqual([]);
      expect(events.find((e) => e.type === 'session.updated')?.session.audio.input.transcription.delay).toBe('high');
      const committedAt = events.findIndex((e) => e.type === 'input_audio_buffer.committed');
      const deltas = events.filter((e) => e.type === 'conversation.item.input_audio_transcription.delta');
      const [completed] = events.filter((e) => e.type === 'conversation.item.input_audio_transcription.completed');
      expect(deltas.map((d) => d.delta).join('')).toBe(completed.transcript);
      const sent = deltas.filter((d) => events.indexOf(d) < committedAt).flatMap((d) => d.logprobs as { token: string; logprob: number }[]);
      early += sent.length;
      const unsure = sent.filter((l) => l.logprob < Math.log(0.5) - 1e-6);
      expect({ clip, unsure }).toEqual({ clip, unsure: [] });
      expect({ clip, repeated: repeatedPhrases(REFS.get(clip)!, completed.transcript) }).toEqual({ clip, repeated: [] });
      expect({ clip, wer: wer(REFS.get(clip)!, completed.transcript) }).toEqual({ clip, wer: expect.toSatisfy((w: number) => w <= 0.15) });
    });
    // Not vacuous: the partials did send words before the commits.
    expect(early).toBeGreaterThan(5);
  }, 120_000);
});
