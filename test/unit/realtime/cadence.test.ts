import { describe, expect, it } from 'vitest';
import { cadenceFor, DELAY_CADENCE } from '../../../src/realtime/cadence.js';

const server = { decodeIntervalMs: 500, firstDecodeMs: 500 };

describe('cadenceFor', () => {
  it('without a delay: the server cadence, plain LocalAgreement-2 unless REALTIME_COMMIT_HOLDBACK_MS is set', () => {
    expect(cadenceFor(null, server)).toEqual({ intervalMs: 500, firstDecodeMs: 500 });
    expect(cadenceFor(null, { ...server, commitHoldbackMs: 0 })).toEqual({ intervalMs: 500, firstDecodeMs: 500 });
    expect(cadenceFor(null, { ...server, commitHoldbackMs: 300 })).toEqual({ intervalMs: 500, firstDecodeMs: 500, holdback: 0.3 });
  });

  it('a client delay wins over the server settings, the holdback included', () => {
    expect(cadenceFor('low', { ...server, commitHoldbackMs: 300 })).toEqual(DELAY_CADENCE.low);
    expect(DELAY_CADENCE.low.holdback).toBeUndefined();
  });
});
