import { describe, expect, it } from 'vitest';
import { alignLogprobs } from '../../src/engine/token-logprobs.js';
import type { Segment } from '../../src/engine/types.js';
import { renderJson } from '../../src/format/json.js';
import { segmentLogprobs, transcriptLogprobs } from '../../src/format/logprobs.js';
import { doneEvent } from '../../src/format/sse.js';
import { seg, transcript } from './format-fixtures.js';

const tok = (text: string, plog = -0.1) => ({ text, plog });
const spell = (l: { token: string }[]) => l.map((x) => x.token).join('');
const utf8 = (s: string) => [...Buffer.from(s, 'utf8')];

describe('alignLogprobs (native tokens → domain)', () => {
  it('takes clean tokens as they are, with their UTF-8 bytes', () => {
    const l = alignLogprobs(' Hello world.', [tok(' Hello', -0.5), tok(' world', -0.25), tok('.', -0.01)]);
    expect(l).toEqual([
      { token: ' Hello', logprob: -0.5, bytes: utf8(' Hello') },
      { token: ' world', logprob: -0.25, bytes: utf8(' world') },
      { token: '.', logprob: -0.01, bytes: utf8('.') },
    ]);
  });

  it('merges tokens that split a multi-byte character into one entry with the joint log probability', () => {
    // "é" split over two byte tokens reaches JS as two U+FFFD strings.
    const l = alignLogprobs(' café au lait', [tok(' caf', -0.1), tok('\uFFFD', -0.2), tok('\uFFFD', -0.3), tok(' au', -0.4), tok(' lait', -0.5)]);
    expect(spell(l)).toBe(' café au lait');
    expect(l[1].token).toBe('é');
    expect(l[1].logprob).toBeCloseTo(-0.5, 9);
    expect(l[1].bytes).toEqual([0xc3, 0xa9]);
  });

  it('a broken run at the end takes the rest of the text', () => {
    const l = alignLogprobs(' 日本', [tok(' '), tok('\uFFFD', -1), tok('\uFFFD', -2)]);
    expect(spell(l)).toBe(' 日本');
    expect(l.at(-1)).toMatchObject({ token: '日本', logprob: -3 });
  });
});

describe('logprobs in the answers', () => {
  const withLogprobs = (s: Segment, parts: string[]): Segment => ({
    ...s,
    logprobs: parts.map((p, i) => ({ token: p, logprob: -i / 10, bytes: utf8(p) })),
  });
  const t = transcript({
    text: ' Hello there. General Kenobi.',
    segments: [
      withLogprobs(seg(0, 0, 2, ' Hello there.'), [' Hello', ' there', '.']),
      withLogprobs(seg(1, 2, 4, ' General Kenobi.'), [' General', ' Ken', 'obi', '.']),
    ],
  });

  it('json: the tokens spell the trimmed text, bytes follow the trimmed token', () => {
    const body = renderJson(t, { logprobs: true }).body;
    expect(spell(body.logprobs!)).toBe(body.text);
    expect(body.logprobs![0]).toEqual({ token: 'Hello', logprob: -0, bytes: utf8('Hello') });
    expect(Object.keys(body)).toEqual(['text', 'logprobs', 'usage']);
  });

  it('json: no logprobs key unless asked; languages only with languages[]', () => {
    expect(renderJson(t).body).toEqual({ text: 'Hello there. General Kenobi.', usage: { type: 'duration', seconds: 11 } });
    expect(renderJson(t, { languages: true }).body.languages).toEqual([{ code: 'en' }]);
    expect(renderJson(transcript({ text: '', segments: [] }), { languages: true }).body.languages).toEqual([]);
  });

  it('SSE: each delta spells its own text and the done event spells the whole', () => {
    expect(spell(segmentLogprobs(t.segments[0], true))).toBe('Hello there.');
    expect(spell(segmentLogprobs(t.segments[1], false))).toBe(' General Kenobi.');
    const done = doneEvent(t, { logprobs: true, languages: true });
    expect(spell(done.logprobs!)).toBe(done.text);
    expect(done.languages).toEqual([{ code: 'en' }]);
    expect(transcriptLogprobs([])).toEqual([]);
  });
});
