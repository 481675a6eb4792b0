import { describe, expect, it } from 'vitest';
import { cadenceFor, DELAY_CADENCE } from '../../../src/realtime/cadence.js';

const server = { decodeIntervalMs: 500, firstDecodeMs: 500 };

describe('cadenceFor', () => {
  it('without a delay: the server cadence, plain LocalAgreement-2 unless REALTIME_COMMIT_HOLDBACK_MS is set', () => {
    expect(cadenceFor(null, server)).toEqual({ intervalMs: 500, firstDecodeMs: 500 });
    expect(cadenceFor(null, { ...server, commitHoldbackMs: 0 })).toEqual({ intervalMs: 500, firstDecodeMs: 500 });
    expect(cadenceFor(null, { ...server, commitHoldbackMs: 300 })).toEqual({ intervalMs: 500, firstDecodeMs: 500, holdback: 0.3 });
  });

  it('REALTIME_COMMIT_MIN_PROBABILITY gates the server cadence; 0 leaves it off', () => {
    expect(cadenceFor(null, { ...server, commitMinProbability: 0 })).toEqual({ intervalMs: 500, firstDecodeMs: 500 });
    expect(cadenceFor(null, { ...server, commitMinProbability: 0.5 })).toEqual({ intervalMs: 500, firstDecodeMs: 500, minProbability: 0.5 });
  });

  it('the high and xhigh delays hold unsure words back; the faster ones do not', () => {
    expect(DELAY_CADENCE.high.minProbability).toBe(0.5);
    expect(DELAY_CADENCE.xhigh.minProbability).toBe(0.5);
    for (const d of ['minimal', 'low', 'medium'] as const) expect(DELAY_CADENCE[d].minProbability).toBeUndefined();
    expect(cadenceFor('high', { ...server, commitMinProbability: 0.9 })).toEqual(DELAY_CADENCE.high);
  });

  it('a client delay wins over the server settings, the holdback included', () => {
    expect(cadenceFor('low', { ...server, commitHoldbackMs: 300 })).toEqual(DELAY_CADENCE.low);
    expect(DELAY_CADENCE.low.holdback).toBeUndefined();
  });
});
