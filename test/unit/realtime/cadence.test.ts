import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { cadenceFor, DELAY_CADENCE } from '../../../src/realtime/cadence.js';

const server = { decodeIntervalMs: 500, firstDecodeMs: 500 };

describe('cadenceFor', () => {
  it('without a delay: the server cadence, plain LocalAgreement-2 unless REALTIME_COMMIT_HOLDBACK_MS or the gate is set', () => {
    expect(cadenceFor(null, server)).toEqual({ intervalMs: 500, firstDecodeMs: 500 });
    expect(cadenceFor(null, { ...server, commitHoldbackMs: 0 })).toEqual({ intervalMs: 500, firstDecodeMs: 500 });
    expect(cadenceFor(null, { ...server, commitHoldbackMs: 300 })).toEqual({ intervalMs: 500, firstDecodeMs: 500, holdback: 0.3 });
  });

  it('REALTIME_COMMIT_MIN_PROBABILITY gates the server cadence; 0 leaves it off', () => {
    expect(cadenceFor(null, { ...server, commitMinProbability: 0 })).toEqual({ intervalMs: 500, firstDecodeMs: 500 });
    expect(cadenceFor(null, { ...server, commitMinProbability: 0.5 })).toEqual({ intervalMs: 500, firstDecodeMs: 500, minProbability: 0.5 });
  });

  // config.ts imports nothing of the app, so its REALTIME_* defaults repeat medium's values: this keeps them one rule.
  it('a client that sends no delay gets medium at the server defaults', () => {
    const c = loadConfig({});
    const defaults = {
      decodeIntervalMs: c.REALTIME_DECODE_INTERVAL_MS,
      firstDecodeMs: c.REALTIME_FIRST_DECODE_MS,
      firstWordsIntervalMs: c.REALTIME_FIRST_WORDS_INTERVAL_MS,
      commitHoldbackMs: c.REALTIME_COMMIT_HOLDBACK_MS,
      commitMinProbability: c.REALTIME_COMMIT_MIN_PROBABILITY,
    };
    expect(cadenceFor(null, defaults)).toEqual(DELAY_CADENCE.medium);
  });

  it('REALTIME_FIRST_WORDS_INTERVAL_MS: a faster cadence until the first word is sent, unless it equals the interval', () => {
    expect(cadenceFor(null, { ...server, firstWordsIntervalMs: 250 })).toEqual({ intervalMs: 500, firstDecodeMs: 500, firstWordsIntervalMs: 250 });
    expect(cadenceFor(null, { ...server, firstWordsIntervalMs: 500 })).toEqual({ intervalMs: 500, firstDecodeMs: 500 });
  });

  it('medium, high and xhigh hold unsure words back; minimal and low (one decode may send a word) do not', () => {
    for (const d of ['medium', 'high', 'xhigh'] as const) expect(DELAY_CADENCE[d].minProbability).toBe(0.5);
    for (const d of ['minimal', 'low'] as const) expect(DELAY_CADENCE[d].minProbability).toBeUndefined();
    expect(DELAY_CADENCE.medium.firstWordsIntervalMs).toBe(250);
    expect(cadenceFor('high', { ...server, commitMinProbability: 0.9 })).toEqual(DELAY_CADENCE.high);
  });

  it('a client delay wins over the server settings, the holdback included', () => {
    expect(cadenceFor('low', { ...server, commitHoldbackMs: 300 })).toEqual(DELAY_CADENCE.low);
    expect(DELAY_CADENCE.low.holdback).toBeUndefined();
  });
});
