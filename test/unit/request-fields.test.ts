import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/errors.js';
import { parseDataUrl } from '../../src/http/data-url.js';
import { checkTranscriptionFields, type TranscriptionFields } from '../../src/http/transcription-rules.js';
import { languageChoice, promptWithKeywords } from '../../src/services/language-keywords.js';

const wav = `data:audio/wav;base64,${Buffer.from('RIFF....WAVE').toString('base64')}`;

describe('data URLs', () => {
  it('base64 and percent-encoded payloads', () => {
    expect(parseDataUrl(wav)).toEqual({ mediaType: 'audio/wav', bytes: Buffer.from('RIFF....WAVE') });
    expect(parseDataUrl('data:audio/mpeg,%FF%FBab')).toEqual({ mediaType: 'audio/mpeg', bytes: Buffer.from([0xff, 0xfb, 0x61, 0x62]) });
    expect(parseDataUrl('data:application/octet-stream;base64,AAAA')).toMatchObject({ mediaType: 'application/octet-stream' });
  });

  it.each([
    ['not a data URL', 'https://example.com/a.wav', /not a data URL/],
    ['no comma', 'data:audio/wav;base64', /not a data URL/],
    ['text', 'data:text/plain;base64,AAAA', /not audio/],
    ['default media type', 'data:,hello', /not audio/],
    ['bad base64', 'data:audio/wav;base64,@@@@', /base64/],
    ['empty', 'data:audio/wav;base64,', /empty/],
    ['bad percent', 'data:audio/wav,%G1', /percent/],
  ])('%s is refused with a reason', (_n, url, reason) => {
    expect(parseDataUrl(url)).toMatch(reason);
  });
});

describe('keywords and languages', () => {
  it('keywords go after the prompt, comma-separated, without duplicates', () => {
    expect(promptWithKeywords(undefined, ['ComfyUI'])).toBe('ComfyUI.');
    expect(promptWithKeywords('A talk.', ['ComfyUI', ' Stable Diffusion ', 'ComfyUI'])).toBe('A talk. ComfyUI, Stable Diffusion.');
    expect(promptWithKeywords('A talk.', [])).toBe('A talk.');
    expect(promptWithKeywords(undefined, undefined)).toBeUndefined();
  });

  it('one language is `language`, several restrict identification, `language` must be among them', () => {
    expect(languageChoice(undefined, ['de'])).toEqual({ language: 'de' });
    expect(languageChoice(undefined, ['de', 'fr', 'de'])).toEqual({ languages: ['de', 'fr'] });
    expect(languageChoice('fr', ['de', 'fr'])).toEqual({ language: 'fr' });
    expect(languageChoice('en', undefined)).toEqual({ language: 'en' });
    expect(() => languageChoice('en', ['de', 'fr'])).toThrow(/not one of languages/);
  });
});

describe('transcription field rules', () => {
  const base: TranscriptionFields = { model: 'whisper-1', response_format: 'json' };
  const diarize: TranscriptionFields = { model: 'gpt-4o-transcribe-diarize', response_format: 'diarized_json' };
  const fails = (f: TranscriptionFields) => {
    try {
      checkTranscriptionFields(f);
    } catch (err) {
      expect(err).toBeInstanceOf(ApiError);
      const e = err as ApiError;
      expect(e.status).toBe(400);
      return { param: e.param, message: e.message };
    }
    throw new Error('expected a 400');
  };

  it('accepts what the hosted API accepts', () => {
    expect(checkTranscriptionFields({ ...base, include: ['logprobs'] })).toMatchObject({ diarize: false, logprobs: true });
    expect(checkTranscriptionFields(diarize)).toMatchObject({ diarize: true, logprobs: false, knownSpeakers: [] });
    for (const response_format of ['json', 'text'] as const) expect(checkTranscriptionFields({ ...diarize, response_format }).diarize).toBe(true);
    const named = checkTranscriptionFields({ ...diarize, known_speaker_names: ['agent'], known_speaker_references: [wav] });
    expect(named.knownSpeakers).toEqual([{ name: 'agent', bytes: Buffer.from('RIFF....WAVE') }]);
  });

  it.each([
    ['diarize + prompt', { ...diarize, prompt: 'hi' }, 'prompt'],
    ['diarize + logprobs', { ...diarize, response_format: 'json', include: ['logprobs'] }, 'include'],
    ['diarize + timestamp_granularities', { ...diarize, timestamp_granularities: ['segment'] }, 'timestamp_granularities'],
    ['diarize + verbose_json', { ...diarize, response_format: 'verbose_json' }, 'response_format'],
    ['diarize + srt', { ...diarize, response_format: 'srt' }, 'response_format'],
    ['diarized_json without the diarize model', { ...base, response_format: 'diarized_json' }, 'response_format'],
    ['known speakers without the diarize model', { ...base, known_speaker_names: ['a'], known_speaker_references: [wav] }, 'known_speaker_names'],
    ['logprobs with text', { ...base, response_format: 'text', include: ['logprobs'] }, 'include'],
    ['logprobs with verbose_json', { ...base, response_format: 'verbose_json', include: ['logprobs'] }, 'include'],
    ['a name without a reference', { ...diarize, known_speaker_names: ['a', 'b'], known_speaker_references: [wav] }, 'known_speaker_references'],
    ['a reference without a name', { ...diarize, known_speaker_references: [wav] }, 'known_speaker_names'],
    ['the same name twice', { ...diarize, known_speaker_names: ['a', 'a'], known_speaker_references: [wav, wav] }, 'known_speaker_names'],
    ['a malformed data URL', { ...diarize, known_speaker_names: ['a'], known_speaker_references: ['data:audio/wav;base64'] }, 'known_speaker_references'],
    ['a reference that is not audio', { ...diarize, known_speaker_names: ['a'], known_speaker_references: ['data:text/plain,hi'] }, 'known_speaker_references'],
  ] as [string, TranscriptionFields, string][])('%s → 400 on %s', (_n, fields, param) => {
    expect(fails(fields).param).toBe(param);
  });
});
