/**
 * The hosted API's newer fields over HTTP, with fakes: include[]=logprobs, keywords[],
 * languages[], and gpt-4o-transcribe-diarize (diarized_json, stream events, known speakers,
 * refusals, and the 400 without speaker models). Real-model checks are in test/e2e/.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { Diarizer, DiarizeOptions } from '../../src/diarization/types.js';
import { audioFile, expectOpenAIError, makeTestApp, multipart, type TestApp } from './helpers/app.js';

const fakeRef = (seconds: number) => `data:audio/wav;base64,${Buffer.from(`FAKE ${seconds}`).toString('base64')}`;
const calls: { samples: number; opts?: DiarizeOptions }[] = [];
let failWith: Error | undefined;
const diarizer: Diarizer = {
  async diarize(pcm, opts) {
    calls.push({ samples: pcm.length, opts });
    if (failWith) throw failWith;
    const first = opts?.knownSpeakers?.[0]?.name ?? 'S1';
    return [
      { start: 0, end: 2, speaker: first },
      { start: 2, end: 4, speaker: 'S2' },
    ];
  },
};

let t: TestApp;
let bare: TestApp;
beforeAll(async () => {
  t = await makeTestApp({}, {}, { diarizer });
  bare = await makeTestApp();
});
afterAll(async () => {
  await t.close();
  await bare.close();
});
beforeEach(() => {
  t.pool.params.length = 0;
  calls.length = 0;
  failWith = undefined;
});

type Fields = Parameters<typeof multipart>[0];
async function post(fields: Fields, app = t, url = '/v1/audio/transcriptions') {
  const res = await app.app.inject({ method: 'POST', url, ...(await multipart(fields)) });
  expect(await app.leftovers()).toEqual([]);
  return res;
}
const sse = (body: string) =>
  body.split('\n\n').filter((b) => b.startsWith('data: ') && b !== 'data: [DONE]').map((b) => JSON.parse(b.slice(6)));
const spell = (l: { token: string }[]) => l.map((x) => x.token).join('');

describe('include[]=logprobs', () => {
  test('json: logprobs whose tokens spell the text', async () => {
    const body = (await post({ file: audioFile(), model: 'tiny.en', 'include[]': 'logprobs' })).json();
    expect(Object.keys(body)).toEqual(['text', 'logprobs', 'usage']);
    expect(spell(body.logprobs)).toBe(body.text);
    expect(body.logprobs[0]).toEqual({ token: 'Hello', logprob: -0.1, bytes: [...Buffer.from('Hello')] });
  });

  test('stream: on every delta and on the done event', async () => {
    const res = await post({ file: audioFile(), model: 'tiny.en', stream: 'true', 'include[]': 'logprobs' });
    const events = sse(res.body);
    const deltas = events.filter((e) => e.type === 'transcript.text.delta');
    expect(deltas).toHaveLength(2);
    for (const d of deltas) expect(spell(d.logprobs)).toBe(d.delta);
    const done = events.at(-1);
    expect(done.type).toBe('transcript.text.done');
    expect(spell(done.logprobs)).toBe(done.text);
  });

  test('not asked for: no logprobs key anywhere', async () => {
    expect((await post({ file: audioFile(), model: 'tiny.en' })).json()).not.toHaveProperty('logprobs');
    for (const e of sse((await post({ file: audioFile(), model: 'tiny.en', stream: 'true' })).body)) expect(e).not.toHaveProperty('logprobs');
  });
});

describe('keywords[] and languages[]', () => {
  test('keywords bias through the prompt, after the client prompt', async () => {
    await post({ file: audioFile(), model: 'tiny.en', 'keywords[]': ['ComfyUI', 'Kenobi'] });
    expect(t.pool.params[0].prompt).toBe('ComfyUI, Kenobi.');
    await post({ file: audioFile(), model: 'tiny.en', prompt: 'A talk.', 'keywords[]': 'ComfyUI' });
    expect(t.pool.params[1].prompt).toBe('A talk. ComfyUI.');
  });

  test('keywords fix how a heard keyword is written, in the text, the deltas and the logprobs alike', async () => {
    const json = (await post({ file: audioFile(), model: 'tiny.en', 'keywords[]': 'KENOBI', 'include[]': 'logprobs' })).json();
    expect(json.text).toBe('Hello there. General KENOBI.');
    expect(spell(json.logprobs)).toBe(json.text);
    const events = sse((await post({ file: audioFile(), model: 'tiny.en', 'keywords[]': 'KENOBI', stream: 'true', 'include[]': 'logprobs' })).body);
    const deltas = events.filter((e) => e.type === 'transcript.text.delta');
    expect(deltas.map((d) => d.delta).join('')).toBe('Hello there. General KENOBI.');
    for (const d of deltas) expect(spell(d.logprobs)).toBe(d.delta);
    expect(events.at(-1).text).toBe('Hello there. General KENOBI.');
  });

  test('one language is fixed, several restrict identification; json then reports languages', async () => {
    const one = (await post({ file: audioFile(), model: 'base', 'languages[]': 'de' })).json();
    expect(t.pool.params[0]).toMatchObject({ language: 'de' });
    expect(t.pool.params[0].languages).toBeUndefined();
    expect(one.languages).toEqual([{ code: 'de' }]);
    const several = (await post({ file: audioFile(), model: 'base', 'languages[]': ['de', 'French'] })).json();
    expect(t.pool.params[1]).toMatchObject({ language: undefined, languages: ['de', 'fr'] });
    expect(Object.keys(several)).toEqual(['text', 'languages', 'usage']);
  });

  test('stream: languages on the done event', async () => {
    const done = sse((await post({ file: audioFile(), model: 'base', stream: 'true', 'languages[]': ['en', 'de'] })).body).at(-1);
    expect(done.languages).toEqual([{ code: 'en' }]);
  });

  test('an English-only model takes languages[] that include en, as en', async () => {
    await post({ file: audioFile(), model: 'tiny.en', 'languages[]': ['de', 'en'] });
    expect(t.pool.params[0]).toMatchObject({ language: 'en' });
  });
});

describe('gpt-4o-transcribe-diarize', () => {
  const diarize = { file: audioFile(), model: 'gpt-4o-transcribe-diarize' };

  test('diarized_json: speaker segments A, B, word timestamps asked of whisper', async () => {
    const res = await post({ ...diarize, response_format: 'diarized_json' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      task: 'transcribe',
      duration: 4,
      text: 'Hello there. General Kenobi.',
      segments: [
        { type: 'transcript.text.segment', id: 'seg_0', start: 0, end: 0.9, speaker: 'A', text: 'Hello there.' },
        { type: 'transcript.text.segment', id: 'seg_1', start: 2, end: 2.9, speaker: 'B', text: 'General Kenobi.' },
      ],
      usage: { type: 'duration', seconds: 4 },
    });
    expect(t.pool.params[0].wordTimestamps).toBe(true);
    expect(calls[0].samples).toBe(4 * 16_000);
  });

  test('our alias whisper-diarize, and json / text answers', async () => {
    expect((await post({ ...diarize, model: 'whisper-diarize' })).json()).toEqual({ text: 'Hello there. General Kenobi.', usage: { type: 'duration', seconds: 4 } });
    expect((await post({ ...diarize, response_format: 'text' })).body).toBe('Hello there. General Kenobi.\n');
  });

  test('stream: a delta with segment_id, then its transcript.text.segment, then done', async () => {
    const res = await post({ ...diarize, response_format: 'diarized_json', stream: 'true' });
    expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
    const events = sse(res.body);
    expect(events.map((e) => e.type)).toEqual([
      'transcript.text.delta', 'transcript.text.segment', 'transcript.text.delta', 'transcript.text.segment', 'transcript.text.done',
    ]);
    expect(events[0]).toEqual({ type: 'transcript.text.delta', delta: 'Hello there.', segment_id: 'seg_0' });
    expect(events[3]).toMatchObject({ id: 'seg_1', speaker: 'B', text: 'General Kenobi.' });
    expect(events[0].delta + events[2].delta).toBe(events[4].text);
  });

  test('known speakers: references decoded and handed to the diarizer; their names label the turns', async () => {
    const res = await post({
      ...diarize, response_format: 'diarized_json',
      'known_speaker_names[]': ['agent', 'customer'], 'known_speaker_references[]': [fakeRef(3), fakeRef(10)],
    });
    expect(res.statusCode).toBe(200);
    expect(calls[0].opts?.knownSpeakers?.map((k) => [k.name, k.pcm.length])).toEqual([['agent', 48_000], ['customer', 160_000]]);
    expect(res.json().segments.map((s: { speaker: string }) => s.speaker)).toEqual(['agent', 'A']);
  });

  test('over 30 s needs chunking_strategy', async () => {
    const long = await post({ ...diarize, file: audioFile(31) });
    expect(long.statusCode).toBe(400);
    expect(expectOpenAIError(long.json())).toMatchObject({ param: 'chunking_strategy', code: 'missing_required_parameter' });
    expect((await post({ ...diarize, file: audioFile(31), chunking_strategy: 'auto' })).statusCode).toBe(200);
  });

  test('a diarizer failure fails the request cleanly, and the stream with an error event', async () => {
    failWith = new Error('onnx went away');
    const res = await post({ ...diarize, response_format: 'diarized_json' });
    expect(res.statusCode).toBe(500);
    expect(expectOpenAIError(res.json())).toMatchObject({ type: 'server_error', code: 'diarization_failed' });
    const streamed = sse((await post({ ...diarize, response_format: 'diarized_json', stream: 'true' })).body);
    expect(streamed.map((e) => e.type)).toEqual(['error']);
    expect(streamed[0].error.code).toBe('diarization_failed');
  });

  test('without speaker models: a 400 naming the import command', async () => {
    const res = await post({ ...diarize, response_format: 'diarized_json' }, bare);
    expect(res.statusCode).toBe(400);
    const e = expectOpenAIError(res.json());
    expect(e).toMatchObject({ type: 'invalid_request_error', code: 'diarization_unavailable', param: 'model' });
    expect(e.message).toContain('npm run models -- import-diarization');
  });
});

describe('bad input: every case a 400 with the OpenAI body, nothing left behind', () => {
  const d = { file: audioFile(), model: 'gpt-4o-transcribe-diarize', response_format: 'diarized_json' };
  const named = (refs: string[], names = refs.map((_, i) => `s${i}`)) => ({ ...d, 'known_speaker_names[]': names, 'known_speaker_references[]': refs });
  test.each([
    ['a malformed data URL', named(['data:audio/wav;base64']), 'known_speaker_references'],
    ['a reference that is not a data URL', named(['https://example.com/a.wav']), 'known_speaker_references'],
    ['a reference under 2 s', named([fakeRef(1.5)]), 'known_speaker_references'],
    ['a reference over 10 s', named([fakeRef(10.5)]), 'known_speaker_references'],
    ['a reference that is not audio', named([`data:audio/wav;base64,${Buffer.from('not audio').toString('base64')}`]), 'known_speaker_references'],
    ['more than 4 speakers', named([1, 2, 3, 4, 5].map(() => fakeRef(3))), 'known_speaker_names'],
    ['names and references that do not pair up', named([fakeRef(3)], ['a', 'b']), 'known_speaker_references'],
    ['the diarize model with prompt', { ...d, prompt: 'hi' }, 'prompt'],
    ['the diarize model with logprobs', { ...d, response_format: 'json', 'include[]': 'logprobs' }, 'include'],
    ['the diarize model with timestamp_granularities', { ...d, 'timestamp_granularities[]': 'segment' }, 'timestamp_granularities'],
    ['the diarize model with verbose_json', { ...d, response_format: 'verbose_json' }, 'response_format'],
    ['diarized_json with another model', { ...d, model: 'tiny.en' }, 'response_format'],
    ['logprobs with verbose_json', { file: audioFile(), model: 'tiny.en', response_format: 'verbose_json', 'include[]': 'logprobs' }, 'include'],
    ['include[] with an unknown value', { file: audioFile(), model: 'tiny.en', 'include[]': 'tokens' }, 'include'],
    ['an unknown language in languages[]', { file: audioFile(), model: 'base', 'languages[]': 'klingon' }, 'languages'],
    ['language not among languages[]', { file: audioFile(), model: 'base', language: 'en', 'languages[]': ['de', 'fr'] }, 'languages'],
    ['languages[] without en on an English-only model', { file: audioFile(), model: 'tiny.en', 'languages[]': ['de', 'fr'] }, 'languages'],
    ['an empty keyword', { file: audioFile(), model: 'tiny.en', 'keywords[]': ['ok', '  '] }, 'keywords'],
    ['more than 100 keywords', { file: audioFile(), model: 'tiny.en', 'keywords[]': Array.from({ length: 101 }, (_, i) => `k${i}`) }, 'keywords'],
    ['more than 20 languages', { file: audioFile(), model: 'base', 'languages[]': ['en', 'de', 'fr', 'es', 'it', 'pt', 'nl', 'sv', 'da', 'no', 'fi', 'pl', 'cs', 'sk', 'hu', 'ro', 'bg', 'el', 'tr', 'ru', 'uk'] }, 'languages'],
    ['a known speaker name over 64 characters', named([fakeRef(3)], ['n'.repeat(65)]), 'known_speaker_names'],
    ['a keyword over 100 characters', { file: audioFile(), model: 'tiny.en', 'keywords[]': 'x'.repeat(101) }, 'keywords'],
  ] as [string, Fields, string][])('%s', async (_name, fields, param) => {
    const res = await post(fields);
    expect(res.statusCode).toBe(400);
    expect(expectOpenAIError(res.json())).toMatchObject({ type: 'invalid_request_error', param });
    expect(calls).toHaveLength(0);
    expect(t.pool.params).toHaveLength(0);
  });

  test('translations do not take diarized_json', async () => {
    const res = await post({ file: audioFile(), model: 'base', response_format: 'diarized_json' }, t, '/v1/audio/translations');
    expect(res.statusCode).toBe(400);
    expect(expectOpenAIError(res.json()).param).toBe('response_format');
  });

  test('a form field over 4 MiB is refused, not cut', async () => {
    const res = await post(named([`data:audio/wav;base64,${'A'.repeat(5 << 20)}`]));
    expect(res.statusCode).toBe(400);
    expect(expectOpenAIError(res.json())).toMatchObject({ param: 'known_speaker_references', code: 'field_too_large' });
  });
});

describe('the same fields on async jobs and /invocations', () => {
  async function job(fields: Fields) {
    const mp = await multipart(fields);
    const res = await t.app.inject({ method: 'POST', url: '/v1/audio/transcriptions', payload: mp.payload, headers: { ...mp.headers, prefer: 'respond-async' } });
    expect(res.statusCode, res.body).toBe(202);
    const id = res.json().id;
    for (let i = 0; i < 400; i++) {
      const j = (await t.app.inject({ url: `/v1/audio/jobs/${id}` })).json();
      if (j.status === 'completed') return (await t.app.inject({ url: `/v1/audio/jobs/${id}/result` })).json();
      if (j.status === 'failed') throw new Error(JSON.stringify(j.error));
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('job stuck');
  }

  test('a job answers what the synchronous call answers: diarized_json, logprobs, languages, keywords', async () => {
    const diarized = await job({ file: audioFile(), model: 'gpt-4o-transcribe-diarize', response_format: 'diarized_json' });
    expect(diarized.segments.map((s: { speaker: string }) => s.speaker)).toEqual(['A', 'B']);
    const json = await job({ file: audioFile(), model: 'base', 'include[]': 'logprobs', 'languages[]': ['en', 'de'], 'keywords[]': 'KENOBI' });
    expect(json).toMatchObject({ text: 'Hello there. General KENOBI.', languages: [{ code: 'en' }] });
    expect(spell(json.logprobs)).toBe(json.text);
  });

  test('a job refuses what the synchronous call refuses, and known speakers for now', async () => {
    for (const [fields, param] of [
      [{ file: audioFile(), model: 'gpt-4o-transcribe-diarize', prompt: 'x' }, 'prompt'],
      [{ file: audioFile(), model: 'tiny.en', response_format: 'diarized_json' }, 'response_format'],
      [{ file: audioFile(), model: 'gpt-4o-transcribe-diarize', 'known_speaker_names[]': 'a', 'known_speaker_references[]': fakeRef(3) }, 'known_speaker_references'],
    ] as [Fields, string][]) {
      const mp = await multipart(fields);
      const res = await t.app.inject({ method: 'POST', url: '/v1/audio/transcriptions', payload: mp.payload, headers: { ...mp.headers, prefer: 'respond-async' } });
      expect(res.statusCode).toBe(400);
      expect(expectOpenAIError(res.json()).param).toBe(param);
    }
  });

  test('/invocations: diarized_json (Accept: application/json agrees), logprobs, keywords, languages', async () => {
    const invoke = (body: object, accept = 'application/json') =>
      t.app.inject({ method: 'POST', url: '/invocations', payload: JSON.stringify({ audio_b64: Buffer.from('FAKE 4').toString('base64'), ...body }), headers: { 'content-type': 'application/json', accept } });
    const d = await invoke({ model: 'gpt-4o-transcribe-diarize', response_format: 'diarized_json' });
    expect(d.statusCode, d.body).toBe(200);
    expect(d.json().segments).toHaveLength(2);
    const j = (await invoke({ model: 'base', include: ['logprobs'], languages: ['en', 'de'], keywords: ['KENOBI'] })).json();
    expect(j).toMatchObject({ text: 'Hello there. General KENOBI.', languages: [{ code: 'en' }] });
    expect(spell(j.logprobs)).toBe(j.text);
    const bad = await invoke({ model: 'gpt-4o-transcribe-diarize', prompt: 'x' });
    expect(bad.statusCode).toBe(400);
    expect(expectOpenAIError(bad.json()).param).toBe('prompt');
  });
});
