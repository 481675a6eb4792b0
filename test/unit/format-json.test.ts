import { describe, expect, test } from 'vitest';
import { render, renderJson, renderVerboseJson } from '../../src/format/index.js';
import { languageName, toLanguageCode } from '../../src/format/languages.js';
import { durationUsage } from '../../src/format/usage.js';
import { transcript } from './format-fixtures.js';

const SEGMENT_KEYS = ['id', 'seek', 'start', 'end', 'text', 'tokens', 'temperature', 'avg_logprob', 'compression_ratio', 'no_speech_prob'];

describe('json', () => {
  test('is {text, usage} with whole seconds rounded up', () => {
    const r = renderJson(transcript({ duration: 8.47 }));
    expect(r.body).toEqual({ text: 'And so my fellow Americans, ask not. What you can do.', usage: { type: 'duration', seconds: 9 } });
    expect(r.contentType).toMatch(/^application\/json/);
  });
  test('usage tolerates float noise and zero', () => {
    expect(durationUsage(11.0000001).seconds).toBe(11);
    expect(durationUsage(11.01).seconds).toBe(12);
    expect(durationUsage(0).seconds).toBe(0);
  });
});

describe('verbose_json', () => {
  test('has task, the language name, duration, text, segments with the ten OpenAI fields, usage', () => {
    const { body } = renderVerboseJson(transcript());
    expect(Object.keys(body)).toEqual(['task', 'language', 'duration', 'text', 'segments', 'usage']);
    expect(body.task).toBe('transcribe');
    expect(body.language).toBe('english');
    expect(body.duration).toBe(11);
    expect(body.segments).toHaveLength(2);
    for (const s of body.segments!) expect(Object.keys(s)).toEqual(SEGMENT_KEYS);
    expect(body.words).toBeUndefined();
  });

  test('segment text keeps its leading space (OpenAI does too)', () => {
    expect(renderVerboseJson(transcript()).body.segments![0].text).toBe(' And so my fellow Americans, ask not.');
  });

  test('word granularity alone gives words and no segments', () => {
    const { body } = renderVerboseJson(transcript(), { granularities: ['word'] });
    expect(body.segments).toBeUndefined();
    expect(body.words).toEqual([
      { word: 'And', start: 0, end: 0.3 },
      { word: 'so', start: 0.3, end: 0.5 },
    ]);
  });

  test('both granularities give both; words default to [] when the engine had none', () => {
    const { body } = renderVerboseJson(transcript({ words: undefined }), { granularities: ['segment', 'word'] });
    expect(body.segments).toHaveLength(2);
    expect(body.words).toEqual([]);
  });

  test('translation reports english whatever was spoken', () => {
    expect(renderVerboseJson(transcript({ task: 'translate', language: 'de' })).body.language).toBe('english');
    expect(renderVerboseJson(transcript({ language: 'de' })).body.language).toBe('german');
  });

  test('render() dispatches every format', () => {
    for (const f of ['json', 'text', 'srt', 'verbose_json', 'vtt'] as const) expect(render(f, transcript()).body).toBeTruthy();
  });
});

describe('languages', () => {
  test('codes and names both map to whisper codes', () => {
    expect(toLanguageCode('en')).toBe('en');
    expect(toLanguageCode('DE')).toBe('de');
    expect(toLanguageCode('german')).toBe('de');
    expect(toLanguageCode('Mandarin')).toBe('zh');
    expect(toLanguageCode('jv')).toBe('jw');
    expect(toLanguageCode('xx')).toBeUndefined();
    expect(toLanguageCode('toString')).toBeUndefined();
  });
  test('names for verbose_json', () => {
    expect(languageName('en')).toBe('english');
    expect(languageName('haw')).toBe('hawaiian');
    expect(languageName('zz')).toBe('zz');
  });
});
