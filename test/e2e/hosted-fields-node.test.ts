/**
 * The hosted API's newer fields with the real `openai` npm client, real whisper.cpp (tiny.en,
 * base) and real ffmpeg: include[]=logprobs (plain and streamed), keywords[] on a clip tiny.en
 * gets wrong without them, languages[], and gpt-4o-transcribe-diarize on a stereo recording
 * whose channels are two speakers (split by channel: no speaker models needed).
 * openai 6.x types have no keywords/languages yet; the SDK sends every body key as a form
 * field, so they go in with a cast.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import OpenAI from 'openai';
import type { TranscriptionDiarized, TranscriptionStreamEvent } from 'openai/resources/audio/transcriptions';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { speakerAccuracy } from '../../src/diarization/score.js';
import { audio, normalize, requireWeights, startServer, type RunningServer } from './helpers/server.js';

let server: RunningServer;
let client: OpenAI;
beforeAll(async () => {
  requireWeights('tiny.en', 'base');
  server = await startServer({ PRELOAD_MODELS: 'tiny.en', DEFAULT_MODEL: 'tiny.en' });
  client = new OpenAI({ apiKey: 'unused', baseURL: `${server.url}/v1`, maxRetries: 0, timeout: 120_000 });
}, 120_000);
afterAll(async () => {
  expect(await server?.leftovers()).toEqual([]);
  await server?.stop();
});

const file = (name: string) => fs.createReadStream(audio(name));
const spell = (l: { token?: string }[]) => l.map((x) => x.token).join('');
type Extra = Record<string, unknown>;

describe('include[]=logprobs', () => {
  test('json: one entry per text token, spelling the text, with UTF-8 bytes and log probabilities', async () => {
    const r = await client.audio.transcriptions.create({ file: file('jfk.wav'), model: 'tiny.en', include: ['logprobs'] });
    expect(normalize(r.text)).toMatch(/^and so my fellow americans/);
    expect(r.logprobs!.length).toBeGreaterThan(15);
    expect(spell(r.logprobs!)).toBe(r.text);
    for (const l of r.logprobs!) {
      expect(l.logprob).toBeLessThanOrEqual(0);
      expect(Buffer.from(l.bytes!).toString('utf8')).toBe(l.token);
      expect(l.token).not.toMatch(/^\[_|<\|/); // no special or timestamp tokens
    }
  }, 120_000);

  test('stream: every delta and the done event carry the tokens that spell them', async () => {
    const stream = await client.audio.transcriptions.create({ file: file('jfk.wav'), model: 'tiny.en', stream: true, include: ['logprobs'] });
    const events: TranscriptionStreamEvent[] = [];
    for await (const e of stream) events.push(e);
    const deltas = events.filter((e) => e.type === 'transcript.text.delta');
    expect(deltas.length).toBeGreaterThan(0);
    for (const d of deltas) expect(spell(d.logprobs!)).toBe(d.delta);
    const done = events.at(-1)!;
    expect(done.type).toBe('transcript.text.done');
    if (done.type === 'transcript.text.done') expect(spell(done.logprobs!)).toBe(done.text);
  }, 120_000);
});

describe('keywords[] and languages[]', () => {
  // Without the keyword tiny.en splits the name ("comfyu eye", "comfy eye"); with it whisper hears
  // the word (written "ComfyUI", "comfyUI" or "comfy UI" from run to run) and the server writes it as given.
  test('a keyword fixes a word tiny.en gets wrong (fw_hotwords: "ComfyUI")', async () => {
    const plain = await client.audio.transcriptions.create({ file: file('fw_hotwords.mp3'), model: 'tiny.en' });
    expect(plain.text.toLowerCase()).not.toContain('comfyui');
    const guided = await client.audio.transcriptions.create({ file: file('fw_hotwords.mp3'), model: 'tiny.en', keywords: ['ComfyUI'] } as Extra as never);
    expect((guided as { text: string }).text.match(/ComfyUI/g)).toHaveLength(2);
  }, 120_000);

  test('languages[]: one code fixes the language and comes back as languages: [{code}]', async () => {
    const r = await client.audio.transcriptions.create({ file: file('jfk.wav'), model: 'base', languages: ['en'] } as Extra as never);
    expect(r).toMatchObject({ languages: [{ code: 'en' }] });
    expect(normalize((r as { text: string }).text)).toMatch(/ask not what your country/);
  }, 120_000);

  test('languages[]: identification chooses only among the codes given (English speech, de or fr allowed)', async () => {
    const free = await client.audio.transcriptions.create({ file: file('jfk.wav'), model: 'base', languages: ['en', 'de'] } as Extra as never);
    expect(free).toMatchObject({ languages: [{ code: 'en' }] });
    const masked = await client.audio.transcriptions.create({ file: file('jfk.wav'), model: 'base', languages: ['de', 'fr'] } as Extra as never);
    expect(['de', 'fr']).toContain((masked as unknown as { languages: { code: string }[] }).languages[0].code);
  }, 120_000);
});

describe('gpt-4o-transcribe-diarize on a two-channel recording', () => {
  // LEFT: "He began a confused complaint against the wizard…", RIGHT: "The horizon seems extremely distant."
  const check = (segments: { speaker: string; text: string }[]) => {
    const left = segments.filter((s) => /complaint|wizard/i.test(s.text));
    const right = segments.filter((s) => /horizon|distant/i.test(s.text));
    expect(left.length, JSON.stringify(segments)).toBeGreaterThan(0);
    expect(right.length, JSON.stringify(segments)).toBeGreaterThan(0);
    expect(new Set(segments.map((s) => s.speaker))).toEqual(new Set(['A', 'B']));
    expect(new Set(left.map((s) => s.speaker)).size).toBe(1);
    expect(new Set(right.map((s) => s.speaker)).size).toBe(1);
    expect(left[0].speaker).not.toBe(right[0].speaker);
  };

  test('diarized_json: each channel is one speaker, and overlapping speech is transcribed whole', async () => {
    const r = (await client.audio.transcriptions.create({
      file: file('fw_stereo_diarization.wav'),
      model: 'gpt-4o-transcribe-diarize',
      response_format: 'diarized_json',
    })) as unknown as TranscriptionDiarized;
    expect(r).toMatchObject({ task: 'transcribe', duration: 5, usage: { type: 'duration', seconds: 5 } });
    for (const s of r.segments) {
      expect(s.type).toBe('transcript.text.segment');
      expect(typeof s.id).toBe('string');
      expect(s.end).toBeGreaterThan(s.start);
    }
    check(r.segments);
    expect(r.text).toBe(r.segments.map((s) => s.text).join(' '));
  }, 120_000);

  test('stream: transcript.text.segment events before transcript.text.done', async () => {
    const stream = await client.audio.transcriptions.create({
      file: file('fw_stereo_diarization.wav'),
      model: 'gpt-4o-transcribe-diarize',
      response_format: 'diarized_json',
      stream: true,
    });
    const events: TranscriptionStreamEvent[] = [];
    for await (const e of stream) events.push(e);
    const segments = events.filter((e) => e.type === 'transcript.text.segment');
    check(segments);
    expect(events.at(-1)!.type).toBe('transcript.text.done');
    const deltas = events.filter((e) => e.type === 'transcript.text.delta');
    expect(deltas.map((d) => d.segment_id)).toEqual(segments.map((s) => s.id));
  }, 120_000);

  test('the refusals come back as BadRequestError with the param', async () => {
    await expect(
      client.audio.transcriptions.create({ file: file('fw_stereo_diarization.wav'), model: 'gpt-4o-transcribe-diarize', prompt: 'hi' }),
    ).rejects.toMatchObject({ status: 400, param: 'prompt' });
  }, 120_000);
});

describe('gpt-4o-transcribe-diarize on a mono recording (the real speaker models from fetch-test)', () => {
  const ref = fs
    .readFileSync(audio('diarization.tsv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split('\t'))
    .filter((c) => c[0] === 'picovoice_falcon_3speakers.wav')
    .map((c) => ({ start: Number(c[1]), end: Number(c[2]), speaker: c[3] }));

  test('three speakers, labelled A, B, C, at least 90 % of speech time right', async () => {
    const r = (await client.audio.transcriptions.create({
      file: file('picovoice_falcon_3speakers.wav'),
      model: 'gpt-4o-transcribe-diarize',
      response_format: 'diarized_json',
      chunking_strategy: 'auto',
    })) as TranscriptionDiarized;
    expect(new Set(r.segments.map((s) => s.speaker))).toEqual(new Set(['A', 'B', 'C']));
    const score = speakerAccuracy(ref, r.segments.map((s) => ({ start: s.start, end: s.end, speaker: s.speaker })));
    console.info(`falcon over HTTP: speaker accuracy ${(100 * score.accuracy).toFixed(1)} %`);
    expect(score.accuracy).toBeGreaterThanOrEqual(0.9);
  }, 180_000);

  test('a known speaker gets its name at each of its turns', async () => {
    // The reference: 3 s of speaker 2's first turn (6.2–11.1 s), cut by ffmpeg into a WAV data URL.
    const wav = execFileSync('ffmpeg', ['-v', 'error', '-ss', '6.5', '-t', '3', '-i', audio('picovoice_falcon_3speakers.wav'), '-ac', '1', '-ar', '16000', '-f', 'wav', '-']);
    const r = (await client.audio.transcriptions.create({
      file: file('picovoice_falcon_3speakers.wav'),
      model: 'gpt-4o-transcribe-diarize',
      response_format: 'diarized_json',
      chunking_strategy: 'auto',
      known_speaker_names: ['Agent'],
      known_speaker_references: [`data:audio/wav;base64,${wav.toString('base64')}`],
    })) as TranscriptionDiarized;
    const turnsOf2 = ref.filter((t) => t.speaker === '2');
    for (const turn of turnsOf2) {
      const inside = r.segments.filter((s) => s.start < turn.end && s.end > turn.start && Math.min(s.end, turn.end) - Math.max(s.start, turn.start) > 0.5);
      expect(inside.length, `turn ${turn.start}–${turn.end}`).toBeGreaterThan(0);
      for (const s of inside) expect(s.speaker).toBe('Agent');
    }
    expect(r.segments.filter((s) => s.speaker === 'Agent').length).toBeGreaterThanOrEqual(turnsOf2.length);
  }, 180_000);
});
