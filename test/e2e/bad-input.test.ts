/**
 * The bad-input corpus, against the real server (real ffmpeg, real engine). Every case must be a
 * 4xx with OpenAI's four-key error body, /health must stay 200, and the spool directory must be
 * empty afterwards.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { makeFixtures, noise, rawMultipart, type RawPart } from './helpers/fixtures.js';
import { requireWeights, startServer, waitFor, type RunningServer } from './helpers/server.js';

const MAX_BYTES = 3_000_000;
let server: RunningServer;
// Built at collection time (synchronously) so every case is its own named test.
const fixtureDir = fs.mkdtempSync(path.join(os.tmpdir(), 'whisper-fixtures-'));
const fx = makeFixtures(fixtureDir);

beforeAll(async () => {
  requireWeights('tiny.en');
  server = await startServer({ MAX_UPLOAD_BYTES: String(MAX_BYTES), MAX_AUDIO_SECONDS: '60' });
}, 60_000);
afterAll(async () => {
  await server?.stop();
  fs.rmSync(fixtureDir, { recursive: true, force: true });
});

type Case = {
  name: string;
  status: number;
  code?: string;
  url?: string;
  method?: string;
  /** Parts of a well-formed multipart body... */
  parts?: RawPart[];
  /** ...or a raw body with its content type. */
  body?: string | Buffer;
  contentType?: string;
};

const file = (data: string | Buffer, filename: string | Buffer = 'audio.wav', type = 'application/octet-stream'): RawPart => ({
  name: 'file',
  filename,
  type,
  data,
});
const field = (name: string, data: string): RawPart => ({ name, data });
const tiny = field('model', 'tiny.en');
const ok = () => file(fx.jfk, 'jfk.wav', 'audio/wav');
const diarize = field('model', 'gpt-4o-transcribe-diarize');
const dataUrl = (bytes: Buffer, type = 'audio/wav') => `data:${type};base64,${bytes.toString('base64')}`;
const known = (refs: string[], names = refs.map((_, i) => `speaker${i}`)): RawPart[] => [
  ...names.map((n) => field('known_speaker_names[]', n)),
  ...refs.map((r) => field('known_speaker_references[]', r)),
];

const cases: Case[] = [
  // Files that are not (usable) audio
  { name: 'empty file', status: 400, parts: [file(''), tiny] },
  { name: 'random bytes named .mp3', status: 400, parts: [file(noise(30_000), 'song.mp3', 'audio/mpeg'), tiny] },
  { name: 'truncated mp3 (header, half a frame)', status: 400, parts: [file(fx.truncatedMp3, 'cut.mp3'), tiny] },
  { name: 'truncated flac', status: 400, parts: [file(fx.truncatedFlac, 'cut.flac'), tiny] },
  { name: 'truncated wav header', status: 400, parts: [file(fx.truncatedWav, 'cut.wav'), tiny] },
  { name: 'a text file', status: 400, parts: [file('Dear diary,\nno audio here.\n', 'notes.txt', 'text/plain'), tiny] },
  { name: 'an image', status: 400, parts: [file(fx.image, 'picture.png', 'image/png'), tiny] },
  { name: 'a video with no audio track', status: 400, parts: [file(fx.videoNoAudio, 'clip.mp4', 'video/mp4'), tiny] },
  { name: 'zero-length audio (valid WAV, no samples)', status: 400, parts: [file(fx.zeroLengthWav, 'zero.wav'), tiny] },
  { name: 'over the size limit', status: 413, code: 'file_too_large', parts: [file(noise(MAX_BYTES + 1), 'big.wav'), tiny] },
  { name: 'over the duration limit', status: 400, code: 'audio_too_long', parts: [file(fx.long, 'long.wav'), tiny] },
  { name: 'non-UTF-8 filename, not audio', status: 400, parts: [file(noise(500, 7), Buffer.from([0x66, 0xff, 0xfe, 0x2e, 0x6d, 0x70, 0x33])), tiny] },
  { name: '../ filename, not audio', status: 400, parts: [file('x', '../../../../etc/passwd'), tiny] },
  { name: '..\\ filename, not audio', status: 400, parts: [file('x', '..\\..\\windows\\win.ini'), tiny] },
  // Missing or invalid fields
  { name: 'missing file', status: 400, code: 'missing_required_parameter', parts: [tiny] },
  { name: 'missing model', status: 400, code: 'missing_required_parameter', parts: [ok()] },
  { name: 'unknown model', status: 404, code: 'model_not_found', parts: [ok(), field('model', 'large-v9')] },
  { name: 'path-like model name', status: 404, code: 'model_not_found', parts: [ok(), field('model', '../models/ggml-tiny.en')] },
  { name: 'unknown response_format', status: 400, parts: [ok(), tiny, field('response_format', 'docx')] },
  { name: 'temperature not a number', status: 400, parts: [ok(), tiny, field('temperature', 'warm')] },
  { name: 'temperature above 1', status: 400, parts: [ok(), tiny, field('temperature', '1.01')] },
  { name: 'temperature negative', status: 400, parts: [ok(), tiny, field('temperature', '-0.5')] },
  { name: 'unknown granularity', status: 400, parts: [ok(), tiny, field('response_format', 'verbose_json'), field('timestamp_granularities[]', 'sentence')] },
  { name: 'word granularity without verbose_json', status: 400, parts: [ok(), tiny, field('timestamp_granularities[]', 'word')] },
  { name: 'unknown language code', status: 400, parts: [ok(), field('model', 'base'), field('language', 'xx')] },
  { name: 'non-English language on an English-only model', status: 400, parts: [ok(), tiny, field('language', 'fr')] },
  { name: 'stream is not a boolean', status: 400, parts: [ok(), tiny, field('stream', 'sometimes')] },
  { name: 'include[]=logprobs with response_format=text', status: 400, parts: [ok(), tiny, field('include[]', 'logprobs'), field('response_format', 'text')] },
  { name: 'an empty keywords[] entry', status: 400, parts: [ok(), tiny, field('keywords[]', ' ')] },
  { name: 'an unknown code in languages[]', status: 400, parts: [ok(), tiny, field('languages[]', 'xx')] },
  // gpt-4o-transcribe-diarize
  { name: 'diarize: diarized_json with a whisper model', status: 400, parts: [ok(), tiny, field('response_format', 'diarized_json')] },
  { name: 'diarize: with prompt', status: 400, code: 'unsupported_parameter', parts: [ok(), diarize, field('prompt', 'hello')] },
  { name: 'diarize: with include[]=logprobs', status: 400, code: 'unsupported_parameter', parts: [ok(), diarize, field('include[]', 'logprobs')] },
  { name: 'diarize: with timestamp_granularities[]', status: 400, code: 'unsupported_parameter', parts: [ok(), diarize, field('timestamp_granularities[]', 'segment')] },
  { name: 'diarize: a malformed data URL', status: 400, parts: [ok(), diarize, ...known(['data:audio/wav;base64'])] },
  { name: 'diarize: a reference that is not a data URL', status: 400, parts: [ok(), diarize, ...known(['/etc/passwd'])] },
  { name: 'diarize: a reference under 2 s', status: 400, parts: [ok(), diarize, ...known([dataUrl(fx.tone1s)])] },
  { name: 'diarize: a reference over 10 s', status: 400, parts: [ok(), diarize, ...known([dataUrl(fx.tone12s)])] },
  { name: 'diarize: a reference that is an image', status: 400, parts: [ok(), diarize, ...known([dataUrl(fx.image)])] },
  { name: 'diarize: a reference that is truncated audio', status: 400, parts: [ok(), diarize, ...known([dataUrl(fx.truncatedMp3, 'audio/mpeg')])] },
  { name: 'diarize: more than 4 speakers', status: 400, parts: [ok(), diarize, ...known([1, 2, 3, 4, 5].map(() => dataUrl(fx.tone3s)))] },
  { name: 'diarize: names and references that do not pair up', status: 400, parts: [ok(), diarize, ...known([dataUrl(fx.tone3s)], ['a', 'b'])] },
  // Without the speaker models a mono diarize request is diarization_unavailable: test/http/transcription-features.test.ts
  // (this server has them, from fetch-test).
  { name: 'bad chunking_strategy', status: 400, parts: [ok(), tiny, field('chunking_strategy', 'manual')] },
  { name: 'prompt too long', status: 400, parts: [ok(), tiny, field('prompt', 'a'.repeat(5000))] },
  { name: 'file sent as a plain field', status: 400, parts: [field('file', 'jfk.wav'), tiny] },
  { name: 'two files', status: 400, code: 'too_many_files', parts: [ok(), ok(), tiny] },
  { name: 'translation with an English-only model', status: 400, code: 'model_not_multilingual', url: '/v1/audio/translations', parts: [ok(), tiny] },
  // Broken or wrong bodies
  { name: 'a JSON body', status: 415, body: JSON.stringify({ file: 'jfk.wav', model: 'tiny.en' }), contentType: 'application/json' },
  { name: 'a raw audio body', status: 415, body: fx.jfk, contentType: 'audio/wav' },
  { name: 'no content type', status: 415, body: 'x', contentType: '' },
  { name: 'multipart without a boundary', status: 400, body: 'whatever', contentType: 'multipart/form-data' },
  { name: 'multipart cut off mid-part', status: 400, body: '--XX\r\nContent-Disposition: form-data; name="model"\r\n\r\ntiny', contentType: 'multipart/form-data; boundary=XX' },
  { name: 'multipart garbage between boundaries', status: 400, body: '--XX\r\n\u0000\u0001garbage\r\n--XX--', contentType: 'multipart/form-data; boundary=XX' },
  { name: 'an empty multipart body', status: 400, body: '', contentType: 'multipart/form-data; boundary=XX' },
  { name: 'a misspelled route', status: 404, code: 'unknown_url', url: '/v1/audio/transcription', parts: [ok(), tiny] },
  { name: 'GET on the upload route', status: 404, method: 'GET', url: '/v1/audio/transcriptions' },
];

describe('bad input corpus', () => {
  test('has at least 30 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  test.each(cases)('$name → $status', async (c) => {
    let body: Buffer | string | undefined = c.body;
    let contentType = c.contentType;
    if (c.parts) ({ body, contentType } = rawMultipart(c.parts));
    const headers: Record<string, string> = contentType ? { 'content-type': contentType } : {};
    const res = await fetch(`${server.url}${c.url ?? '/v1/audio/transcriptions'}`, {
      method: c.method ?? 'POST',
      headers,
      body: c.method === 'GET' || body === undefined ? undefined : typeof body === 'string' ? body : new Uint8Array(body),
    });
    const text = await res.text();
    expect({ name: c.name, status: res.status }).toEqual({ name: c.name, status: c.status });
    const json = JSON.parse(text);
    expect(Object.keys(json.error).sort()).toEqual(['code', 'message', 'param', 'type']);
    expect(typeof json.error.message).toBe('string');
    if (c.code) expect(json.error.code).toBe(c.code);
    // Messages never leak the server's spool paths.
    expect(json.error.message).not.toContain(server.tmpDir);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    await waitFor(async () => (await server.leftovers()).length === 0, 2000, () => `leftovers after '${c.name}'`);
  });
});

test('valid audio under hostile filenames still transcribes, and nothing escapes the spool dir', async () => {
  for (const filename of ['../../../tmp/evil.wav', Buffer.from([0x6a, 0xff, 0x6b, 0x2e, 0x77, 0x61, 0x76])]) {
    const { body, contentType } = rawMultipart([file(fx.jfk, filename, 'audio/wav'), tiny, field('response_format', 'text')]);
    const res = await fetch(`${server.url}/v1/audio/transcriptions`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: new Uint8Array(body),
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/ask not what your country/i);
  }
  expect(fs.existsSync('/tmp/evil.wav')).toBe(false);
  expect(await server.leftovers()).toEqual([]);
}, 60_000);
