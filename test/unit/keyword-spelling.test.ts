import { describe, expect, it } from 'vitest';
import { keywordPattern, respell, spellKeywords } from '../../src/services/keyword-spelling.js';
import { seg, transcript } from './format-fixtures.js';

const toks = (...parts: string[]) => parts.map((token, i) => ({ token, logprob: -(i + 1) / 10, bytes: [...Buffer.from(token)] }));
const spell = (l: { token: string }[]) => l.map((x) => x.token).join('');

describe('keyword spelling', () => {
  it('matches up to case and single spaces between letters, whole words only', () => {
    const p = keywordPattern(['ComfyUI'])!;
    expect(' your comfy UI folder, comfyui and COMFYUI'.replace(p, 'X')).toBe(' your X folder, X and X');
    expect(' comfyuIs and my comfy u eye'.replace(p, 'X')).toBe(' comfyuIs and my comfy u eye');
    // Short keywords: case only, no merging of separate letters.
    expect(' an ai and a i'.replace(keywordPattern(['AI'])!, 'X')).toBe(' an X and a i');
  });

  it('rewrites the tokens so they still spell the text, joining swallowed tokens\' probabilities', () => {
    const r = respell(' into your comfy UI folder', toks(' into', ' your', ' com', 'fy', ' UI', ' folder'), keywordPattern(['ComfyUI'])!, ['ComfyUI']);
    expect(r.text).toBe(' into your ComfyUI folder');
    expect(spell(r.tokens)).toBe(r.text);
    expect(r.tokens.map((t) => t.token)).toEqual([' into', ' your', ' ComfyUI', ' folder']);
    expect(r.tokens[2].logprob).toBeCloseTo(-0.3 - 0.4 - 0.5, 9);
    expect(r.tokens[2].bytes).toEqual([...Buffer.from(' ComfyUI')]);
  });

  it('applies to segments, text, words and speakers; nothing without keywords', () => {
    const t = transcript({
      text: 'In comfy UI.',
      segments: [{ ...seg(0, 0, 2, ' In comfy UI.'), logprobs: toks(' In', ' comfy', ' UI', '.') }],
      words: [{ word: 'comfyui.', start: 0, end: 1, probability: 1 }],
      speakers: [{ start: 0, end: 2, speaker: 'A', text: 'In comfy UI.' }],
    });
    const out = spellKeywords(t, ['ComfyUI']);
    expect(out.text).toBe('In ComfyUI.');
    expect(out.segments[0].text).toBe(' In ComfyUI.');
    expect(spell(out.segments[0].logprobs!)).toBe(' In ComfyUI.');
    expect(out.words![0].word).toBe('ComfyUI.');
    expect(out.speakers![0].text).toBe('In ComfyUI.');
    expect(spellKeywords(t, [])).toBe(t);
  });
});
