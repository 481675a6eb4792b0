import type { Segment, Transcript } from '../../src/engine/types.js';

export const seg = (id: number, start: number, end: number, text: string): Segment => ({
  id,
  seek: Math.round(start * 100),
  start,
  end,
  text,
  tokens: [50364, 400 + id, 50414],
  temperature: 0,
  avg_logprob: -0.3,
  compression_ratio: 1.1,
  no_speech_prob: 0,
});

export const transcript = (over: Partial<Transcript> = {}): Transcript => ({
  task: 'transcribe',
  language: 'en',
  duration: 11.0,
  text: ' And so my fellow Americans, ask not. What you can do.',
  segments: [seg(0, 0, 7.6, ' And so my fellow Americans, ask not.'), seg(1, 7.6, 3661.005, ' What --> you can do.')],
  words: [
    { word: 'And', start: 0, end: 0.3, probability: 0.9 },
    { word: 'so', start: 0.3, end: 0.5, probability: 0.8 },
  ],
  ...over,
});
