/**
 * The hosted API's newer fields with the real `openai` npm client, real whisper.cpp (tiny.en,
 * base) and real ffmpeg: include[]=logprobs (plain and streamed), keywords[] on a clip tiny.en
 * gets wrong without them, languages[], and gpt-4o-transcribe-diarize on a stereo recording
 * whose channels are two speakers (split by channel: no speaker models needed).
 * openai 6.x types have no keywords/languages yet; the SDK sends every body key as a form
 * field, so they go in with a cast.
 */
import fs from 'node:fs';
import OpenAI from 'openai';
import type { TranscriptionDiarized, TranscriptionStreamEvent } from 'openai/resources/audio/transcriptions';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
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
    await expect(
      client.audio.transcriptions.create({ file: file('jfk.wav'), model: 'gpt-4o-transcribe-diarize', response_format: 'diarized_json' }),
    ).rejects.toMatchObject({ status: 400, code: 'diarization_unavailable' });
  }, 120_000);
});
